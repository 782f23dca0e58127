// `brine apply`'s options: what its command line gives the agent, and the argv that gives them
// (provision builds each host's agent command line from one of these).

export interface ApplyOptions {
  env: string;
  dir: string;
  test: boolean;
  json: boolean;
  roles: string[];
  id?: string;
  varDir: string;
  /** Also write the masked --json document here (atomically, 0600). */
  reportFile?: string;
  /** Where a real apply appends its run-log line; none when undefined. */
  runLog?: string;
  /** Seconds to wait for another apply's lock before giving up (0: fail at once). */
  lockWait: number;
  /** Also append the run's events here, one JSON line each (what `provision` follows). */
  events?: string;
  /** Succeed when nothing is selected for this host (otherwise an error: a typo in a target?). */
  allowEmpty?: boolean;
}

/** `apply …` with these options and state files: the agent's argv after `node brine.js`. */
export function applyArgv(o: ApplyOptions, states: string[]): string[] {
  return [
    'apply',
    '--env', o.env,
    '--dir', o.dir,
    ...(o.id !== undefined ? ['--id', o.id] : []),
    ...(o.roles.length ? ['--roles', o.roles.join(',')] : []),
    '--var-dir', o.varDir,
    ...(o.reportFile !== undefined ? ['--report-file', o.reportFile] : []),
    ...(o.runLog !== undefined ? ['--run-log', o.runLog] : []),
    ...(o.events !== undefined ? ['--events', o.events] : []),
    '--lock-wait', String(o.lockWait),
    ...(o.test ? ['--test'] : []),
    ...(o.json ? ['--json'] : []),
    ...(o.allowEmpty ? ['--allow-empty'] : []),
    '--', ...states,
  ];
}
