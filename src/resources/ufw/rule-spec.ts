// A declared ufw.rule: its arguments, the tuples ufw would store for it, and the ufw argv.
import { isIP } from 'node:net';
import type { Args } from '../../core/args.js';
import { hexComment, isV6, normalizeAddress, normalizePorts, portCovers, type UfwTuple } from './rules.js';

export const ACTIONS = ['allow', 'deny', 'limit', 'reject'] as const;

export interface RuleSpec {
  action: (typeof ACTIONS)[number];
  /** ufw's port syntax: "22", "80,443", "6000:6007"; undefined for every port. */
  port?: string;
  proto: 'tcp' | 'udp' | 'any';
  from: string;
  to: string;
  comment?: string;
}

export function parseRule(a: Args): RuleSpec {
  const action = a.oneOf('action', ACTIONS, 'allow');
  const proto = a.oneOf('proto', ['tcp', 'udp', 'any'] as const, 'any');
  const port = parsePort(a, proto);
  const from = address(a, 'from');
  const to = address(a, 'to');
  if (from !== 'any' && to !== 'any' && isV6(from) !== isV6(to)) a.problem('to', 'from and to must both be IPv4 or both IPv6');
  const comment = a.str('comment');
  if (comment !== undefined && /[\n\r]/.test(comment)) a.problem('comment', 'must be one line');
  return { action, port, proto, from, to, comment };
}

function parsePort(a: Args, proto: string): string | undefined {
  const raw = a.str('port');
  if (raw === undefined) return undefined;
  const items = raw.replace(/\s+/g, '').split(',').map((i) => i.replace('-', ':'));
  const valid = (n: string) => /^\d+$/.test(n) && Number(n) >= 1 && Number(n) <= 65535;
  const ok = items.every((i) => {
    const [lo, hi, more] = i.split(':');
    return more === undefined && valid(lo) && (hi === undefined || (valid(hi) && Number(lo) < Number(hi)));
  });
  if (!ok) a.problem('port', `expected a port, a list "80,443" or a range "6000:6007", got ${JSON.stringify(raw)}`);
  else if ((items.length > 1 || items[0].includes(':')) && proto === 'any') a.problem('proto', 'a port list or range needs proto tcp or udp (ufw requires it)');
  return ok ? normalizePorts(items.join(',')) : undefined;
}

function address(a: Args, key: string): string {
  const v = a.str(key, 'any');
  const [ip, mask, more] = v.split('/');
  const maskOk = mask === undefined || (/^\d+$/.test(mask) ? Number(mask) <= (isIP(ip) === 6 ? 128 : 32) : isIP(mask) === 4);
  if (v !== 'any' && (!isIP(ip) || !maskOk || more !== undefined)) a.problem(key, `expected "any", an address or a network, got ${JSON.stringify(v)}`);
  return v;
}

/** The tuples ufw stores for this rule: both families for any-to-any when IPv6 is on. */
export function expectedTuples(spec: RuleSpec, ipv6: boolean): UfwTuple[] {
  const fixed = spec.from !== 'any' ? spec.from : spec.to !== 'any' ? spec.to : undefined;
  const families = fixed ? [isV6(fixed)] : ipv6 ? [false, true] : [false];
  return families.map((v6) => ({
    action: spec.action,
    proto: spec.proto,
    dport: spec.port ?? 'any',
    dst: normalizeAddress(spec.to, v6),
    sport: 'any',
    src: normalizeAddress(spec.from, v6),
    dapp: '',
    sapp: '',
    direction: 'in',
    comment: spec.comment ? hexComment(spec.comment) : '',
    v6,
  }));
}

/** Same rule for ufw (it would replace one with the other), ignoring action and comment. */
export const sameTarget = (a: UfwTuple, b: UfwTuple): boolean =>
  a.proto === b.proto && a.dport === b.dport && a.dst === b.dst && a.sport === b.sport && a.src === b.src &&
  a.dapp === b.dapp && a.sapp === b.sapp && a.direction === b.direction && a.v6 === b.v6;

export function ruleArgv(spec: RuleSpec): string[] {
  return [
    'ufw', spec.action,
    ...(spec.proto === 'any' ? [] : ['proto', spec.proto]),
    'from', spec.from, 'to', spec.to,
    ...(spec.port ? ['port', spec.port] : []),
    ...(spec.comment !== undefined ? ['comment', spec.comment] : []),
  ];
}

/** "allow 22/tcp from any", as a human would say it. */
export function describeRule(spec: RuleSpec): string {
  const what = spec.port ? `${spec.port}${spec.proto === 'any' ? '' : `/${spec.proto}`}` : spec.proto === 'any' ? 'all traffic' : `all ${spec.proto}`;
  const to = spec.to === 'any' ? '' : ` to ${spec.to}`;
  return `${spec.action} ${what} from ${spec.from}${to}${spec.comment ? ` (${spec.comment})` : ''}`;
}

/** Does this rule let new TCP connections to `port` in? (allow and limit both do). */
export function lets(rule: { action: string; proto: string; dport: string; direction?: string }, port: number): boolean {
  // Stored actions may carry a log suffix ("allow_log"); route rules ("route:allow") do not count.
  return /^(allow|limit)(_|$)/.test(rule.action) && (rule.proto === 'tcp' || rule.proto === 'any') && (rule.direction ?? 'in').startsWith('in') && portCovers(rule.dport, port);
}
