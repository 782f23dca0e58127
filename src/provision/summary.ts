// The aggregate over hosts: one line per host, counts, the exit code (0 all ok, 2 --test
// pending somewhere, 1 any failure or unreachable host), and the --json document.
import { formatReport, formatSummary, painter, type Colour, type Style } from '../apply/report.js';
import type { Secrets } from '../core/secrets.js';
import type { HostOutcome, HostStatus } from './provision-host.js';

export interface Aggregate {
  hosts: number;
  ok: number;
  changed: number;
  pending: number;
  failed: number;
  unreachable: number;
}

export function aggregate(outcomes: HostOutcome[]): Aggregate {
  const n = (s: HostStatus) => outcomes.filter((o) => o.status === s).length;
  return { hosts: outcomes.length, ok: n('ok'), changed: n('changed'), pending: n('pending'), failed: n('failed'), unreachable: n('unreachable') };
}

export function exitCodeOfAll(outcomes: HostOutcome[]): number {
  if (outcomes.some((o) => o.exitCode === 1)) return 1;
  return outcomes.some((o) => o.exitCode === 2) ? 2 : 0;
}

/** A host's status in the summary and the live view. */
export const STATUS_COLOUR: Record<HostStatus, Colour> = { ok: 'green', changed: 'cyan', pending: 'yellow', failed: 'red', unreachable: 'red' };

export function formatAggregate(env: string, test: boolean, outcomes: HostOutcome[], ms: number, style: Style): string {
  const paint = painter(style);
  const width = Math.max(...outcomes.map((o) => o.target.address.length));
  const lines = outcomes.map((o) => {
    const s = o.report?.summary;
    const counts = s ? `changed=${s.changed}${test ? ` pending=${s.pending}` : ''} failed=${s.failed}` : '';
    const why = o.error ? o.error.split('\n')[0] : '';
    return `  ${o.target.address.padEnd(width)}  ${paint(STATUS_COLOUR[o.status], o.status.padEnd(11))} ${(o.durationMs / 1000).toFixed(1).padStart(6)} s  ${[counts, why].filter(Boolean).join('  ')}`.trimEnd();
  });
  const a = aggregate(outcomes);
  const total =
    `Hosts: ${a.hosts}  ok: ${a.ok + a.changed} (changed: ${a.changed})` +
    (test ? `  pending: ${a.pending}` : '') +
    `  failed: ${a.failed}  unreachable: ${a.unreachable}  Total time: ${(ms / 1000).toFixed(1)} s`;
  const bad = a.failed + a.unreachable;
  return `\nProvision summary for ${env}${test ? ' (test)' : ''}\n------------\n${lines.join('\n')}\n${paint(bad ? 'red' : a.pending ? 'yellow' : 'green', total)}\n`;
}

/** Earlier runs nobody collected (the connection dropped), and runs still going. */
export function formatEarlier(o: HostOutcome, secrets: Secrets, style: Style): string {
  let out = '';
  for (const e of o.earlier) {
    const status = e.exit === 'lost' ? 'its job died without a status (host rebooted?)' : `exit ${e.exit}`;
    out += `\n${o.target.address}: an earlier run ${e.run} finished while no controller was connected: ${status}\n`;
    if (e.report) out += formatSummary(e.report, style).replace(/^\n/, '');
    else if (e.logTail) out += secrets.mask(e.logTail).replace(/^/gm, '  ') + '\n';
  }
  for (const r of o.running) out += `\n${o.target.address}: an earlier run ${r.run} is still running (pid ${r.pid})\n`;
  return out;
}

/** A host's full report, for the multi-host TTY view (which did not stream it). */
export function formatHost(o: HostOutcome, secrets: Secrets, style: Style): string {
  const head = `\n=== ${o.target.address}${o.target.id !== o.target.address ? ` (${o.target.id})` : ''}: ${o.status}\n`;
  const body = o.report ? formatReport(o.report, secrets, style) : o.error ? `  ${secrets.mask(o.error).replace(/\n/g, '\n  ')}\n` : '';
  return head + body + formatEarlier(o, secrets, style);
}

export function jsonDocument(env: string, test: boolean, outcomes: HostOutcome[], ms: number, secrets: Secrets): string {
  const doc = {
    env,
    test,
    exitCode: exitCodeOfAll(outcomes),
    durationMs: ms,
    summary: aggregate(outcomes),
    hosts: outcomes.map((o) => ({
      address: o.target.address,
      id: o.target.id,
      user: o.target.user ?? null,
      roles: o.target.roles,
      status: o.status,
      exitCode: o.exitCode,
      error: o.error ?? null,
      durationMs: o.durationMs,
      bootstrap: o.bootstrap ?? null,
      report: o.report ?? null,
      earlier: o.earlier,
      running: o.running,
    })),
  };
  return JSON.stringify(secrets.maskDeep(doc), null, 2) + '\n';
}
