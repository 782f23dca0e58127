// `brine history ENV`: reads each host's run log (/var/log/brine/runs.jsonl) back over SSH and
// shows the last runs of that environment, newest last.
import { parseRunLog, type RunLogEntry } from '../apply/run-log.js';
import { painter, type Style } from '../apply/report.js';
import type { Target } from './inventory.js';
import { runPool } from './pool.js';
import { Remote } from './remote.js';
import type { Spawn } from './runner.js';
import type { SshSettings } from './ssh.js';

export interface HostHistory {
  target: Target;
  runs: RunLogEntry[];
  error?: string;
}

/** Lines read per host before filtering by env: enough for the last N of a shared log. */
const READ_LINES = 2000;

export async function fetchHistory(targets: Target[], env: string, last: number, ssh: SshSettings, spawn: Spawn, parallel: number): Promise<HostHistory[]> {
  const settled = await runPool(targets, parallel, async (t) => {
    const text = await new Remote(t.address, t.user, ssh, spawn).readRunLog(READ_LINES);
    return { target: t, runs: lastRuns(parseRunLog(text), env, last) };
  });
  return settled.map((s, i) => (s.ok ? s.value : { target: targets[i], runs: [], error: s.error instanceof Error ? s.error.message : String(s.error) }));
}

export function lastRuns(entries: RunLogEntry[], env: string, last: number): RunLogEntry[] {
  return entries.filter((e) => e.env === env).slice(-last);
}

export function formatHistory(h: HostHistory, style: Style): string {
  const paint = painter(style);
  let out = `\n=== ${h.target.address}\n`;
  if (h.error) return out + paint('red', `  ${h.error}`) + '\n';
  if (!h.runs.length) return out + '  no runs recorded\n';
  for (const r of h.runs) {
    const s = r.summary;
    const result = r.error ? paint('red', 'error') : r.exitCode ? paint('red', 'failed') : paint('green', 'ok');
    const counts = s ? `changed=${s.changed} failed=${s.failed} states=${s.total}` : '';
    const who = r.via ? `${r.who} via ${r.via}` : r.who;
    out += `${r.when.replace(/\.\d+Z$/, 'Z')}  ${result}  ${who}  ${counts}  ${(r.durationMs / 1000).toFixed(1)} s  [${r.states.join(', ')}]\n`;
    if (r.error) out += `    ${r.error.split('\n')[0]}\n`;
    for (const st of r.changed) {
      out += `    ${st.result.padEnd(7)} ${st.id} (${st.function})${st.changes.length ? `: ${st.changes.join('; ')}` : ''}\n`;
      if (st.comment) out += `            ${st.comment.split('\n')[0]}\n`;
    }
  }
  return out;
}
