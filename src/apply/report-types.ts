// The shape of a run's result: what the human report, --json and the run log are made from.

export type Result = 'ok' | 'changed' | 'pending' | 'failed';

export interface ChangeReport {
  summary: string;
  diff?: string;
  detail?: Record<string, unknown>;
}

export interface StateResult {
  id: string;
  /** `kind.function`, e.g. file.managed. */
  function: string;
  name: string;
  sls: string;
  file: string;
  line: number;
  result: Result;
  changes: ChangeReport[];
  comment: string;
  durationMs: number;
  /** Not run because a requisite failed (its result is `failed`; the summary counts it apart). */
  skipped?: boolean;
}

export interface Summary {
  succeeded: number;
  changed: number;
  pending: number;
  /** States that failed themselves. */
  failed: number;
  /** States not run because a requisite failed (absent in reports of older agents). */
  skipped?: number;
  total: number;
  durationMs: number;
}

export interface Report {
  test: boolean;
  env: string;
  host: string;
  states: StateResult[];
  summary: Summary;
  /** The lockout check refused the run (nothing was changed): the rule it broke. */
  refused?: string;
  /** What the lockout check wants said before applying ("the last run as root"). */
  notes?: string[];
}

export function summarize(states: StateResult[], durationMs: number): Summary {
  const count = (r: Result) => states.filter((s) => s.result === r).length;
  const skipped = states.filter((s) => s.result === 'failed' && s.skipped).length;
  const failed = count('failed') - skipped;
  return {
    succeeded: states.length - failed - skipped,
    changed: count('changed'),
    pending: count('pending'),
    failed,
    skipped,
    total: states.length,
    durationMs,
  };
}

/** 0 success, 2 `--test` found pending changes, 1 any failure. */
export function exitCodeOf(report: Report): number {
  if (report.refused || report.summary.failed || report.summary.skipped) return 1;
  return report.summary.pending ? 2 : 0;
}
