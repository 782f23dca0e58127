// Provisions one host: bootstrap → upload (agent, states/, this host's pillar) → run the agent
// detached and stream it, then collect its report (and any earlier run's nobody collected) on
// the same connection — or in a step of its own when the launch stopped before that.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnreachableError } from '../core/errors.js';
import type { Report } from '../apply/report-types.js';
import type { Secrets } from '../core/secrets.js';
import type { BootstrapResult, FinishedRun } from './collected.js';
import type { Target } from './inventory.js';
import { stagePillar, type HostPillar } from './pillar-select.js';
import { Remote, REPORT_ROOT, RUN_LOG, RUN_ROOT, type Launched } from './remote.js';
import type { Spawn } from './runner.js';
import type { SshSettings } from './ssh.js';

export type Phase = 'waiting' | 'bootstrap' | 'upload' | 'run' | 'collect' | 'done';
export type HostStatus = 'ok' | 'changed' | 'pending' | 'failed' | 'unreachable';

export interface HostOutcome {
  target: Target;
  status: HostStatus;
  /** 0 ok, 2 pending in --test, 1 failed or unreachable. */
  exitCode: number;
  error?: string;
  bootstrap?: BootstrapResult & { ms: number };
  report?: Report;
  /** Runs that finished while no controller was connected, collected now. */
  earlier: FinishedRun[];
  /** Earlier runs still going on the host. */
  running: { run: string; pid: number }[];
  durationMs: number;
}

export interface HostContext {
  dir: string;
  env: string;
  test: boolean;
  states: string[];
  /** The bundled agent (dist/brine.js) to upload. */
  agentPath: string;
  settings: SshSettings;
  spawn: Spawn;
  /** `user@controller`, recorded in the host's run log. */
  via: string;
  /** All hosts' pillar secrets: every line shown passes through it. */
  secrets: Secrets;
  lockWaitSeconds: number;
}

export interface HostEvents {
  phase(phase: Phase, note?: string, status?: HostStatus): void;
  /** One line of the agent's human report, already masked. */
  line(text: string): void;
}

export function makeRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

export function agentArgv(ctx: Pick<HostContext, 'env' | 'test' | 'states' | 'lockWaitSeconds'>, t: Target, run: string): string[] {
  const dir = `${RUN_ROOT}/${run}`;
  return [
    'node', `${dir}/brine.js`, 'apply',
    '--env', ctx.env,
    '--dir', dir,
    '--id', t.id,
    ...(t.roles.length ? ['--roles', t.roles.join(',')] : []),
    '--var-dir', '/var/lib/brine',
    '--report-file', `${REPORT_ROOT}/${run}.json`,
    '--run-log', RUN_LOG,
    '--lock-wait', String(ctx.lockWaitSeconds),
    ...(ctx.test ? ['--test'] : []),
    '--', ...ctx.states,
  ];
}

export async function provisionHost(ctx: HostContext, t: Target, pillar: HostPillar, ev: HostEvents): Promise<HostOutcome> {
  const started = Date.now();
  const remote = new Remote(t.address, t.user, ctx.settings, ctx.spawn);
  const out: HostOutcome = { target: t, status: 'failed', exitCode: 1, earlier: [], running: [], durationMs: 0 };
  const finish = (status: HostStatus, error?: string): HostOutcome => {
    out.status = status;
    out.exitCode = status === 'pending' ? 2 : status === 'ok' || status === 'changed' ? 0 : 1;
    if (error) out.error = ctx.secrets.mask(error);
    out.durationMs = Date.now() - started;
    ev.phase('done', out.error ?? '', status);
    return out;
  };
  let run: string | undefined;
  let agentStarted = false;
  try {
    ev.phase('bootstrap');
    const b0 = Date.now();
    const b = await remote.bootstrap();
    out.bootstrap = { ...b, ms: Date.now() - b0 };
    ev.phase('upload', b.skipped ? '' : `bootstrapped: ${b.installed.join(', ') || 'directories'} (${b.node})`);
    run = makeRunId();
    const staging = mkdtempSync(join(tmpdir(), 'brine-upload-'));
    try {
      // The bundle is CommonJS: a lone brine.js runs on the host's node as it is. With its
      // mtime, a host that ran this very bundle last time links it instead of receiving it.
      const agent = join(staging, 'brine.js');
      copyFileSync(ctx.agentPath, agent);
      const { atime, mtime } = statSync(ctx.agentPath);
      utimesSync(agent, atime, mtime);
      const pillarDir = stagePillar(ctx.dir, pillar, staging);
      await remote.upload(run, [agent, join(ctx.dir, 'states'), pillarDir], b.sudo);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    ev.phase('run');
    agentStarted = true;
    let launched: Launched;
    try {
      launched = await remote.launch(run, ctx.via, agentArgv(ctx, t, run), (l) => ev.line(ctx.secrets.mask(l)), () => ev.phase('collect'));
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      return finish('failed', `connection lost during the run (${err.message}); the agent goes on on the host and the next provision shows its result`);
    }
    let collected = launched.collected;
    if (!collected?.finished.some((f) => f.run === run)) {
      // The launcher stopped before collecting (or collecting failed): a step of its own.
      ev.phase('collect');
      const again = await remote.collect();
      collected = { finished: [...(collected?.finished ?? []), ...again.finished], running: again.running };
    }
    const mine = collected.finished.find((f) => f.run === run);
    out.earlier = collected.finished.filter((f) => f.run !== run).map((f) => ctx.secrets.maskDeep(f));
    out.running = collected.running;
    if (mine?.report) out.report = ctx.secrets.maskDeep(mine.report);
    const code = typeof mine?.exit === 'number' ? mine.exit : launched.exitCode;
    if (code === 0) return finish(out.report?.summary.changed ? 'changed' : 'ok');
    if (code === 2 && ctx.test) return finish('pending');
    const why = out.report?.refused ?? (out.report ? `${out.report.summary.failed + (out.report.summary.skipped ?? 0)} state(s) failed` : lastLines(mine?.logTail || launched.stderr) || `agent exit ${code}`);
    return finish('failed', why);
  } catch (err) {
    if (run && !agentStarted) await remote.removeUpload(run);
    const message = err instanceof Error ? err.message : String(err);
    return finish(err instanceof UnreachableError && !agentStarted ? 'unreachable' : 'failed', message);
  }
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join('\n');
