// Per state (id + function): did `--test` say exactly what the real run then did? The dry-run
// scenario suite's measure, kept apart from anything that touches a host.
import type { Report, StateResult } from '../../src/apply/report-types.js';

export interface Tally {
  exact: number;
  pendingWithReason: number;
  mispredicted: number;
  changedNotPredicted: number;
  predictedUnchanged: number;
  /** Pending with a reason and then unchanged (ufw's defaults on a fresh host): no claim was made. */
  pendingUnchanged: number;
  /** Changed (or failed) in the real run: the denominator of "exact". */
  moved: number;
  details: string[];
}

const key = (s: StateResult) => `${s.function} ${s.id}`;
const changesOf = (s: StateResult) => s.changes.map((c) => ({ summary: c.summary, diff: c.diff ?? null }));
// A pending state that says why it cannot tell everything yet.
const REASON = /unknown until|cannot plan yet|cannot validate yet|not predicted|comes with/;

/** Per state: did --test say exactly what the real run then did? */
export function compare(predicted: Report, applied: Report): Tally {
  const t: Tally = { exact: 0, pendingWithReason: 0, mispredicted: 0, changedNotPredicted: 0, predictedUnchanged: 0, pendingUnchanged: 0, moved: 0, details: [] };
  const real = new Map(applied.states.map((s) => [key(s), s]));
  for (const p of predicted.states) {
    const a = real.get(key(p));
    if (!a) throw new Error(`${key(p)} is in --test's report but not in the real run's`);
    const moved = a.result === 'changed' || a.result === 'failed';
    if (moved) t.moved++;
    const said = p.result === 'pending' || p.result === 'failed';
    const same = JSON.stringify(changesOf(p)) === JSON.stringify(changesOf(a)) && (p.result === 'failed') === (a.result === 'failed');
    const reasoned = p.result === 'pending' && REASON.test(p.comment);
    if (moved && same && said) t.exact++;
    else if (moved && reasoned) t.pendingWithReason++;
    else if (moved && !said) t.changedNotPredicted++;
    else if (moved) t.mispredicted++;
    else if (said && reasoned && !p.changes.length) t.pendingUnchanged++;
    else if (said) t.predictedUnchanged++;
    const exactly = moved && same && said;
    if (said !== moved || (moved && !exactly)) {
      t.details.push(`${key(p)}: --test ${p.result} ${JSON.stringify(changesOf(p).map((c) => c.summary))} (${p.comment}) / real ${a.result} ${JSON.stringify(changesOf(a).map((c) => c.summary))} (${a.comment})`);
    }
  }
  return t;
}

export function formatTally(name: string, t: Tally): string {
  const pct = t.moved ? ((100 * t.exact) / t.moved).toFixed(0) : '100';
  return (
    `${name}: ${t.moved} changed states — exact ${t.exact} (${pct}%), pending-with-reason ${t.pendingWithReason}, mispredicted ${t.mispredicted}, ` +
    `changed-but-not-predicted ${t.changedNotPredicted}, predicted-but-unchanged ${t.predictedUnchanged}` +
    (t.pendingUnchanged ? `, pending (unknown) and then unchanged ${t.pendingUnchanged}` : '') +
    (t.details.length ? '\n    ' + t.details.join('\n    ') : '')
  );
}
