// The lockout guard: ufw must not start filtering incoming traffic (enable, or a deny default
// while enabled) unless a rule lets SSH in on every port sshd listens on.
import { GuardError } from '../../core/errors.js';
import type { HostView } from '../../host/types.js';
import { policyOf, type UfwState } from './rules.js';
import { declared } from '../declared.js';
import { lets, type RuleSpec } from './rule-spec.js';

const SSHD_CONFIG = '/etc/ssh/sshd_config';
const SSHD_CONFIG_D = '/etc/ssh/sshd_config.d';

/** Ports sshd listens on (Port and ListenAddress host:port lines); none when sshd is not configured. */
export async function sshPorts(host: HostView): Promise<number[]> {
  const main = await host.readFile(SSHD_CONFIG);
  if (main === null) return [];
  // Debian's sshd_config includes sshd_config.d/*.conf; Port lines from all files add up.
  const extra = ((await host.readdir(SSHD_CONFIG_D)) ?? []).filter((f) => f.endsWith('.conf'));
  const texts = [main, ...(await Promise.all(extra.map((f) => host.readFile(`${SSHD_CONFIG_D}/${f}`))))];
  const portLines: number[] = [];
  const listens: (number | undefined)[] = [];
  for (const line of texts.join('\n').split('\n')) {
    const m = /^\s*(\w+)\s*[\s=]\s*(\S+)/.exec(line);
    if (m?.[1].toLowerCase() === 'port' && /^\d+$/.test(m[2])) portLines.push(Number(m[2]));
    if (m?.[1].toLowerCase() === 'listenaddress') {
      const port = /^(?:\[[^\]]+\]|[^:]+):(\d+)$/.exec(m[2])?.[1];
      listens.push(port === undefined ? undefined : Number(port));
    }
  }
  // Port lines (22 without any) apply to every ListenAddress that names no port of its own.
  const named = listens.filter((p): p is number => p !== undefined);
  const all = listens.length && named.length === listens.length ? named : [...(portLines.length ? portLines : [22]), ...named];
  return [...new Set(all)].sort((a, b) => a - b);
}

export interface GuardOptions {
  /** The incoming default that will apply (a ufw.default state's own value). */
  incoming?: string;
  /**
   * Count rules and defaults the run declares but has not applied (what --test must assume);
   * off when checking right before acting, where only what ufw has stored counts.
   */
  declared: boolean;
}

/** Throws a GuardError when `action` would cut off SSH. */
export async function guardSsh(host: HostView, ufw: UfwState, action: string, opts: GuardOptions): Promise<void> {
  const ports = await sshPorts(host);
  if (!ports.length) return;
  const declaredIncoming = opts.declared ? declared<{ incoming?: string }>(host, 'ufw.default').map((d) => d.incoming).filter(Boolean).pop() : undefined;
  const incoming = opts.incoming ?? declaredIncoming ?? (policyOf(ufw.defaults.DEFAULT_INPUT_POLICY) ?? 'deny');
  if (incoming === 'allow') return;
  const rules = [
    ...ufw.tuples,
    ...(opts.declared ? declared<RuleSpec>(host, 'ufw.rule').map((r) => ({ ...r, dport: r.port ?? 'any' })) : []),
  ];
  const shut = ports.filter((p) => !rules.some((r) => lets(r, p)));
  if (!shut.length) return;
  const list = shut.map((p) => `${p}/tcp`).join(', ');
  throw new GuardError(
    `refusing to ${action}: no ufw rule allows SSH (sshd listens on ${list}) and incoming traffic would be ${incoming === 'reject' ? 'rejected' : 'denied'}, ` +
      `which would lock you out. Add a ufw.rule before it, e.g. "action: allow, proto: tcp, port: ${shut[0]}".`,
  );
}
