// `brine apply`: compile everything, then plan (--test) or apply on this host; a real apply
// is recorded in the run log, and --report-file keeps the masked JSON report for `provision`.
import { compile, type Compiled } from '../compile/load.js';
import { gatherFacts } from '../compile/facts.js';
import { runStates } from '../apply/engine.js';
import { LockError } from '../core/errors.js';
import { ApplyLock } from '../apply/lock.js';
import { formatState, formatSummary, jsonReport, styleFor } from '../apply/report.js';
import { exitCodeOf, type Report } from '../apply/report-types.js';
import { appendRunLog, runLogEntry, whoRan } from '../apply/run-log.js';
import { LocalHost } from '../host/local.js';
import { registry } from '../resources/index.js';

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
  lockWait?: number;
}

export async function applyCommand(states: string[], o: ApplyOptions): Promise<{ code: number; report: Report }> {
  const host = new LocalHost();
  const started = new Date();
  let compiled: Compiled | undefined;
  let hostId = o.id ?? host.name;
  try {
    const facts = await gatherFacts(host, { env: o.env, roles: o.roles, id: o.id });
    hostId = facts.id;
    compiled = compile({ dir: o.dir, facts, only: states }, registry);
    host.secrets = compiled.secrets;
    const secrets = compiled.secrets;
    const style = styleFor(process.stdout);
    const onState = o.json ? undefined : (s: Parameters<typeof formatState>[0]) => process.stdout.write(formatState(s, secrets, style));
    const runOpts = { env: o.env, varDir: o.varDir, onState, loginUser: whoRan() };
    let report: Report;
    if (o.test) {
      report = await runStates(compiled, registry, host as import('../host/types.js').HostView, { ...runOpts, test: true });
    } else {
      const lock = await acquireLock(o.varDir, `apply --env ${o.env}`, o.lockWait ?? 0);
      try {
        report = await runStates(compiled, registry, host, { ...runOpts, test: false });
      } finally {
        await lock.release();
      }
    }
    report.host = facts.id;
    const code = exitCodeOf(report);
    // brine's own file, not a state's: written atomically like any (LocalHost.writeFile).
    if (o.reportFile) await host.writeFile(o.reportFile, jsonReport(report, secrets), { mode: 0o600 });
    if (!o.test && o.runLog) {
      const entry = runLogEntry({ when: started, host: facts.id, env: o.env, states: compiled.sls, exitCode: code }, report, secrets);
      await appendRunLog(o.runLog, entry);
    }
    process.stdout.write(o.json ? jsonReport(report, secrets) : formatSummary(report, style));
    return { code, report };
  } catch (err) {
    // A run that never got to plan is still a run someone started: log why it stopped.
    if (!o.test && o.runLog) {
      const error = err instanceof Error ? err.message : String(err);
      const entry = runLogEntry({ when: started, host: hostId, env: o.env, states: compiled?.sls ?? states, exitCode: 1, error }, undefined, compiled?.secrets);
      await appendRunLog(o.runLog, entry).catch(() => undefined);
    }
    throw err;
  } finally {
    await host.close();
    // For benchmarks: how many processes this run started (facts, plans and changes together).
    if (process.env.BRINE_COUNT_SPAWNS) process.stderr.write(`brine: spawned ${host.spawned} processes\n`);
  }
}

/** Waits (polling once a second) while another apply holds the lock, saying so once. */
async function acquireLock(varDir: string, what: string, waitSeconds: number): Promise<ApplyLock> {
  const deadline = Date.now() + waitSeconds * 1000;
  let said = false;
  for (;;) {
    try {
      return await ApplyLock.acquire(varDir, what);
    } catch (err) {
      if (!(err instanceof LockError) || Date.now() >= deadline) throw err;
      if (!said) process.stderr.write(`brine: waiting up to ${waitSeconds} s: ${err.message}\n`);
      said = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
