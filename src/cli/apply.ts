// `brine apply`: compile everything, then plan (--test) or apply on this host; a real apply
// is recorded in the run log, --report-file keeps the masked JSON report for `provision`, and
// --events streams the run as JSON lines (apply/events.ts) for `provision` to follow.
import { compile, type Compiled } from '../compile/load.js';
import { gatherFacts } from '../compile/facts.js';
import { runStates } from '../apply/engine.js';
import { EventStream } from '../apply/events.js';
import { BrineError, ioError, LockError } from '../core/errors.js';
import { sweepTempDirs } from '../host/leftovers.js';
import { ApplyLock } from '../apply/lock.js';
import type { ApplyOptions } from '../apply/options.js';
import { formatState, formatSummary, jsonReport, styleFor } from '../apply/report.js';
import { exitCodeOf, type Report, type StateResult } from '../apply/report-types.js';
import { appendRunLog, runLogEntry, whoRan } from '../apply/run-log.js';
import { LocalHost } from '../host/local.js';
import { registry } from '../resources/index.js';
import type { StateDecl } from '../core/state.js';

export async function applyCommand(states: string[], o: ApplyOptions): Promise<{ code: number; report: Report }> {
  const host = new LocalHost();
  const started = new Date();
  let compiled: Compiled | undefined;
  let hostId = o.id ?? host.name;
  // Candidates a run killed with -9 left in the temp dir (they may hold secrets).
  const swept = sweepTempDirs('brine-scratch');
  if (swept.length) process.stderr.write(`brine: removed ${swept.length} scratch director${swept.length === 1 ? 'y' : 'ies'} an interrupted run left: ${swept.join(', ')}\n`);
  const events = o.events ? new EventStream(o.events) : undefined;
  try {
    const facts = await gatherFacts(host, { env: o.env, roles: o.roles, id: o.id });
    hostId = facts.id;
    compiled = compile({ dir: o.dir, facts, only: states }, registry);
    if (!compiled.graph.order.length && !o.allowEmpty) throw new BrineError(nothingSelected(compiled.sls, o, facts));
    host.secrets = compiled.secrets;
    const secrets = compiled.secrets;
    if (events) events.secrets = secrets;
    const style = styleFor(process.stdout);
    const runOpts = {
      env: o.env,
      varDir: o.varDir,
      loginUser: whoRan(),
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
    let code = exitCodeOf(report);
    // brine's own files after the run: a failure is reported after the report, which says
    // what was changed, and fails the run; it never hides that changes were made.
    const late: unknown[] = [];
    if (o.reportFile) {
      // Written atomically like any file (LocalHost.writeFile).
      await host.writeFile(o.reportFile, jsonReport(report, secrets), { mode: 0o600 }).catch((err) => late.push(ioError('write the report file', o.reportFile!, err)));
    }
    if (!o.test && o.runLog) {
      const entry = runLogEntry({ when: started, host: facts.id, env: o.env, states: compiled.sls, exitCode: code }, report, secrets);
      await appendRunLog(o.runLog, entry).catch((err) => late.push(err));
    }
    process.stdout.write(o.json ? jsonReport(report, secrets) : formatSummary(secrets.maskDeep(report), style));
    if (late.length) {
      const changed = report.summary.changed;
      const made = o.test ? '' : changed ? `${changed} state(s) were changed (see the report), but ` : 'nothing was changed, but ';
      for (const err of late) process.stderr.write(`brine: error: ${made}${secrets.mask(messageOf(err))}\n`);
      code = 1;
    }
    return { code, report };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    events?.emit({ event: 'error', message: error });
    // A run that never got to plan is still a run someone started: log why it stopped.
    if (!o.test && o.runLog) {
      const entry = runLogEntry({ when: started, host: hostId, env: o.env, states: compiled?.sls ?? states, exitCode: 1, error }, undefined, compiled?.secrets);
      await appendRunLog(o.runLog, entry).catch(() => undefined);
    }
    // A message may quote a path or a command holding a secret.
    if (err instanceof Error && compiled) err.message = compiled.secrets.mask(err.message);
    throw err;
  } finally {
    events?.close();
    await host.close();
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function nothingSelected(sls: string[], o: ApplyOptions, facts: { id: string; roles: string[] }): string {
  const why = sls.length
    ? `the state files ${sls.join(', ')} declare no state`
    : `states/top.yaml selects no state file for this host (id '${facts.id}', roles: ${facts.roles.join(', ') || 'none'}) in environment '${o.env}'`;
  return `nothing to apply: ${why} (--allow-empty accepts that)`;
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
