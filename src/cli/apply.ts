// `brine apply`: compile everything, then plan (--test) or apply on this host; a real apply
// is recorded in the run log, --report-file keeps the masked JSON report for `provision`, and
// --events streams the run as JSON lines (apply/events.ts) for `provision` to follow.
import { compile, type Compiled } from '../compile/load.js';
import { gatherFacts } from '../compile/facts.js';
import { runStates } from '../apply/engine.js';
import { EventStream } from '../apply/events.js';
import { LockError } from '../core/errors.js';
import { ApplyLock } from '../apply/lock.js';
import type { ApplyOptions } from '../apply/options.js';
import { formatState, formatSummary, jsonReport, styleFor } from '../apply/report.js';
import { exitCodeOf, type Report, type StateResult } from '../apply/report-types.js';
import { appendRunLog, runLogEntry } from '../apply/run-log.js';
import { LocalHost } from '../host/local.js';
import { registry } from '../resources/index.js';
import type { StateDecl } from '../core/state.js';

export async function applyCommand(states: string[], o: ApplyOptions): Promise<{ code: number; report: Report }> {
  const host = new LocalHost();
  const started = new Date();
  let compiled: Compiled | undefined;
  let hostId = o.id ?? host.name;
  const events = o.events ? new EventStream(o.events) : undefined;
  try {
    const facts = await gatherFacts(host, { env: o.env, roles: o.roles, id: o.id });
    hostId = facts.id;
    compiled = compile({ dir: o.dir, facts, only: states }, registry);
    host.secrets = compiled.secrets;
    const secrets = compiled.secrets;
    if (events) events.secrets = secrets;
    const style = styleFor(process.stdout);
    const runOpts = {
      env: o.env,
      varDir: o.varDir,
      onStart: events && ((d: StateDecl) => events.emit({ event: 'started', id: d.id, function: `${d.kind}.${d.fn}` })),
      onState: (s: StateResult) => {
        if (!o.json) process.stdout.write(formatState(s, secrets, style));
        events?.emit({ event: 'state', state: s });
      },
    };
    let report: Report;
    if (o.test) {
      report = await runStates(compiled, registry, host as import('../host/types.js').HostView, { ...runOpts, test: true });
    } else {
      const lock = await acquireLock(o.varDir, `apply --env ${o.env}`, o.lockWait, events);
      try {
        report = await runStates(compiled, registry, host, { ...runOpts, test: false });
      } finally {
        await lock.release();
      }
    }
    report.host = facts.id;
    const { states: _, ...rest } = report;
    events?.emit({ event: 'summary', report: rest });
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
    const error = err instanceof Error ? err.message : String(err);
    events?.emit({ event: 'error', message: error });
    // A run that never got to plan is still a run someone started: log why it stopped.
    if (!o.test && o.runLog) {
      const entry = runLogEntry({ when: started, host: hostId, env: o.env, states: compiled?.sls ?? states, exitCode: 1, error }, undefined, compiled?.secrets);
      await appendRunLog(o.runLog, entry).catch(() => undefined);
    }
    throw err;
  } finally {
    events?.close();
    await host.close();
  }
}

/** Waits (polling once a second) while another apply holds the lock, saying so once. */
async function acquireLock(varDir: string, what: string, waitSeconds: number, events?: EventStream): Promise<ApplyLock> {
  const deadline = Date.now() + waitSeconds * 1000;
  let said = false;
  for (;;) {
    try {
      return await ApplyLock.acquire(varDir, what);
    } catch (err) {
      if (!(err instanceof LockError) || Date.now() >= deadline) throw err;
      if (!said) {
        process.stderr.write(`brine: waiting up to ${waitSeconds} s: ${err.message}\n`);
        events?.emit({ event: 'waiting', seconds: waitSeconds, message: err.message });
      }
      said = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
