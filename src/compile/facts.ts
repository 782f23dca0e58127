// Host facts ("grains") available to templates as `facts` and `grains`.
import type { HostView } from '../host/types.js';

export interface Facts {
  /** The name this host is targeted by (hostname unless the controller gives another). */
  id: string;
  hostname: string;
  fqdn: string;
  env: string;
  roles: string[];
  os: { id: string; version_id: string; codename: string; pretty_name: string };
}

export async function gatherFacts(host: HostView, given: { env: string; roles: string[]; id?: string }): Promise<Facts> {
  const hostname = ((await host.readFile('/etc/hostname')) ?? '').trim() || 'localhost';
  const release = parseOsRelease((await host.readFile('/etc/os-release')) ?? '');
  return {
    id: given.id ?? hostname,
    hostname: hostname.split('.')[0],
    fqdn: hostname,
    env: given.env,
    roles: given.roles,
    os: {
      id: release.ID ?? 'unknown',
      version_id: release.VERSION_ID ?? '',
      codename: release.VERSION_CODENAME ?? '',
      pretty_name: release.PRETTY_NAME ?? '',
    },
  };
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}
