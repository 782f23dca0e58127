// `brine releases ENV`: each host's releases of the app, which is current and previous, and
// when and by whom each was last switched to.
import type { Style } from '../apply/report.js';
import type { Target } from './inventory.js';
import { pillarForHost } from './pillar-select.js';
import { runPool } from './pool.js';
import { appRelease } from './release-plan.js';
import { parseReleases, type HostReleases } from './release-host.js';
import { Remote } from './remote.js';
import type { Spawn } from './runner.js';
import type { SshSettings } from './ssh.js';

export interface HostReleaseList {
  target: Target;
  root?: string;
  releases?: HostReleases;
  error?: string;
}

export async function fetchReleases(dir: string, env: string, targets: Target[], ssh: SshSettings, spawn: Spawn, parallel: number): Promise<HostReleaseList[]> {
  const pillars = targets.map((t) => pillarForHost(dir, env, t));
  // Only where the app lives: nothing is built for a listing.
  const apps = await appRelease(dir, pillars, { rollback: {} }, '', spawn);
  const settled = await runPool(targets, parallel, async (t, i) => {
    const app = apps.hosts[i];
    if (!app) return { target: t };
    const text = await new Remote(t.address, t.user, ssh, spawn).releases(app.root);
    return { target: t, root: app.root, releases: parseReleases(text) };
  });
  return settled.map((s, i) => (s.ok ? s.value : { target: targets[i], error: s.error instanceof Error ? s.error.message : String(s.error) }));
}

export function formatReleases(h: HostReleaseList, style: Style): string {
  const paint = (c: number, t: string) => (style.color ? `\x1b[${c}m${t}\x1b[0m` : t);
  let out = `\n=== ${h.target.address}${h.root ? ` (${h.root})` : ''}\n`;
  if (h.error) return out + paint(31, `  ${h.error}`) + '\n';
  if (!h.root) return out + '  no app here (its pillar has no app.source)\n';
  const r = h.releases!;
  if (!r.releases.length) return out + '  no releases\n';
  for (const rel of [...r.releases].reverse()) {
    const mark = rel.id === r.current ? paint(32, '* current ') : rel.id === r.previous ? '  previous' : '          ';
    const last = [...r.log].reverse().find((s) => s.id === rel.id);
    const verb: Record<string, string> = { deploy: 'deployed', rollback: 'rolled back to', failed: 'failed its health check' };
    const when = last ? `${verb[last.action] ?? last.action} ${last.at.replace(/\.\d+Z$/, 'Z')} by ${last.by}` : 'never current';
    const made = rel.meta.commit ? `${rel.meta.ref ?? ''} ${rel.meta.commit.slice(0, 12)}${rel.meta.dirty ? ' (dirty)' : ''}, made ${(rel.meta.at ?? '').replace(/\.\d+Z$/, 'Z')} by ${rel.meta.by ?? '?'}` : '';
    out += `${mark} ${rel.id.padEnd(12)}  ${when}${made ? `  [${made}]` : ''}\n`;
  }
  return out;
}
