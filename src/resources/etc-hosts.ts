// host.present / host.absent: a name on (or off) IP addresses' lines in /etc/hosts, in Salt's
// arguments (`ip` one address or a list, `clean`); every other line is kept as written.
import { isIP } from 'node:net';
import type { Args } from '../core/args.js';
import type { ResourceFunction, ResourceKind } from './resource.js';
import { lines as split, planEdit } from './file/edit.js';

interface HostSpec {
  name: string;
  ips: string[];
  clean: boolean;
  absent: boolean;
  path: string;
}

const HOSTS = '/etc/hosts';

function parse(a: Args, absent: boolean): HostSpec {
  const name = a.name;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) a.problem('name', `not a host name: ${JSON.stringify(name)}`);
  const ips = a.strList('ip') ?? [];
  if (!ips.length && !absent) a.problem('ip', 'is required');
  for (const ip of ips) if (!isIP(ip)) a.problem('ip', `not an IP address: ${JSON.stringify(ip)}`);
  return { name, ips, clean: !absent && a.bool('clean', false), absent, path: HOSTS };
}

/** `ip  names…  # comment` → its parts; other lines (blank, comments) → undefined. */
function entry(line: string): { ip: string; names: string[]; comment: string } | undefined {
  const hash = line.indexOf('#');
  const body = hash < 0 ? line : line.slice(0, hash);
  const [ip, ...names] = body.trim().split(/\s+/);
  return ip && names.length ? { ip, names, comment: hash < 0 ? '' : ` ${line.slice(hash)}` } : undefined;
}

/** /etc/hosts with the state's name where it belongs (pure: re-run at apply time). */
export function editHosts(spec: HostSpec, text: string): string {
  const out: string[] = [];
  const placed = new Set<string>();
  for (const line of split(text)) {
    const e = entry(line);
    if (!e) {
      out.push(line);
      continue;
    }
    const wanted = spec.ips.includes(e.ip);
    const has = e.names.includes(spec.name);
    // absent: off the given addresses (every address when none is given); clean: off all others.
    const drop = has && (spec.absent ? !spec.ips.length || wanted : spec.clean && !wanted);
    if (drop) {
      const rest = e.names.filter((n) => n !== spec.name);
      if (rest.length) out.push(`${e.ip}\t${rest.join(' ')}${e.comment}`);
      continue;
    }
    if (!spec.absent && wanted && !placed.has(e.ip)) {
      placed.add(e.ip);
      out.push(has ? line : `${line.replace(/\s*(#.*)?$/, '')} ${spec.name}${e.comment}`);
      continue;
    }
    out.push(line);
  }
  if (!spec.absent) for (const ip of spec.ips) if (!placed.has(ip)) out.push(`${ip}\t${spec.name}`);
  return out.join('\n') + '\n';
}

const fn = (absent: boolean): ResourceFunction<HostSpec> => ({
  parse: (a) => parse(a, absent),
  async plan(spec, { host }) {
    const verb = absent ? 'remove' : 'add';
    const changes = await planEdit(host, { path: spec.path, edit: (t) => editHosts(spec, t ?? ''), create: true, summary: () => `${verb} ${spec.name}${spec.ips.length ? ` ${absent ? 'from' : 'on'} ${spec.ips.join(', ')}` : ''} in ${spec.path}` });
    return { changes };
  },
});

export const host: ResourceKind = { present: fn(false), absent: fn(true) };
