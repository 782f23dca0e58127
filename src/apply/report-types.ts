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
}

export interface Summary {
  succeeded: number;
  changed: number;
  pending: number;
  failed: number;
  total: number;
  durationMs: number;
}

export interface Report {
  test: boolean;
  env: string;
  host: string;
  states: StateResult[];
  summary: Summary;
}

export function summarize(states: StateResult[], durationMs: number): Summary {
  const count = (r: Result) => states.filter((s) => s.result === r).length;
  const failed = count('failed');
  return {
    succeeded: states.length - failed,
    changed: count('changed'),
    pending: count('pending'),
    failed,
    total: states.length,
    durationMs,
  };
}

/** 0 success, 2 `--test` found pending changes, 1 any failure. */
export function exitCodeOf(report: Report): number {
  if (report.summary.failed) return 1;
  return report.summary.pending ? 2 : 0;
}
