// `brine apply`: compile everything, then plan (--test) or apply on this host.
import { compile } from '../compile/load.js';
import { gatherFacts } from '../compile/facts.js';
import { runStates } from '../core/engine.js';
import { ApplyLock } from '../core/lock.js';
import { formatState, formatSummary, jsonReport, styleFor } from '../core/report.js';
import { exitCodeOf, type Report } from '../core/report-types.js';
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
}

export async function applyCommand(states: string[], o: ApplyOptions): Promise<{ code: number; report: Report }> {
  const host = new LocalHost();
  try {
    const facts = await gatherFacts(host, { env: o.env, roles: o.roles, id: o.id });
    const compiled = compile({ dir: o.dir, facts, only: states }, registry);
    host.secrets = compiled.secrets;
    const style = styleFor(process.stdout);
    const onState = o.json ? undefined : (s: Parameters<typeof formatState>[0]) => process.stdout.write(formatState(s, compiled.secrets, style));
    const runOpts = { env: o.env, varDir: o.varDir, onState };
    let report: Report;
    if (o.test) {
      report = await runStates(compiled, registry, host as import('../host/types.js').HostView, { ...runOpts, test: true });
    } else {
      const lock = await ApplyLock.acquire(o.varDir, `apply --env ${o.env}`);
      try {
        report = await runStates(compiled, registry, host, { ...runOpts, test: false });
      } finally {
        await lock.release();
      }
    }
    report.host = facts.id;
    process.stdout.write(o.json ? jsonReport(report, compiled.secrets) : formatSummary(report, style));
    return { code: exitCodeOf(report), report };
  } finally {
    await host.close();
    // For benchmarks: how many processes this run started (facts, plans and changes together).
    if (process.env.BRINE_COUNT_SPAWNS) process.stderr.write(`brine: spawned ${host.spawned} processes\n`);
  }
}
