// Provisions one host: bootstrap → upload (agent, states/, this host's pillar) → run the agent
// detached and stream it, then collect its report (and any earlier run's nobody collected) on
// the same connection — or in a step of its own when the launch stopped before that.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { HostKeyError, UnreachableError } from '../core/errors.js';
import { removeOnExit } from '../core/on-exit.js';
import { tempDirPrefix } from '../host/leftovers.js';
import { parseEvent, type AgentEvent } from '../apply/events.js';
import { applyArgv, type ApplyOptions } from '../apply/options.js';
import type { Report } from '../apply/report-types.js';
import type { Secrets } from '../core/secrets.js';
import type { BootstrapResult, FinishedRun } from './collected.js';
import type { HostKeyRecord, HostTrust } from './host-keys/trust.js';
import type { Target } from './inventory.js';
import { stagePillar, type HostPillar } from './pillar-select.js';
import { HOST_PATHS } from '../core/host-paths.js';
import { Remote, type Launched } from './remote.js';
import type { ProvisionOptions } from './provision.js';
import type { Spawn } from './runner.js';
import type { SshSettings } from './ssh.js';
import type { BuiltRelease } from './release-build.js';
import { parseReleases, releaseFor, stageRelease, type StagedRelease } from './release-host.js';
import type { UploadRecords } from './upload-records.js';

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
  /** The app release this run took to the host. */
  release?: StagedRelease;
  durationMs: number;
  /** What brine recorded in pillar/<env>/known_hosts for this host. */
  hostKeys: HostKeyRecord[];
}

/** provision's options, with what it found before touching any host. */
export interface HostContext extends ProvisionOptions {
  /** The project directory, resolved. */
  dir: string;
  /** The bundled agent (dist/brine.js) to upload, found. */
  agent: string;
  /** With brine's connection sharing. */
  ssh: SshSettings;
  /** How each host's SSH key is checked and recorded. */
  trust: HostTrust;
  spawn: Spawn;
  /** `user@controller`, recorded in the host's run log. */
  via: string;
  /** All hosts' pillar secrets: every line shown passes through it. */
  secrets: Secrets;
  /** Uploads sent and not yet started, noted on this machine (none: not noted). */
  uploads?: UploadRecords;
}

export interface HostEvents {
  phase(phase: Phase, note?: string, status?: HostStatus): void;
  /** One event of the agent's stream (masked by the agent; the view renders it). */
  agent(e: AgentEvent): void;
  /** A line of the run's output that is no event (none is expected), already masked. */
  line(text: string): void;
}

export function makeRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/** The agent's command line on the host: `brine apply` with provision's options for this target. */
export function agentArgv(o: Pick<ProvisionOptions, 'env' | 'test' | 'states' | 'lockWait' | 'allowEmpty'>, t: Target, run: string): string[] {
  const dir = `${HOST_PATHS.runs}/${run}`;
  const apply: ApplyOptions = {
    env: o.env,
    dir,
    test: o.test,
    json: false,
    id: t.id,
    roles: t.roles,
    varDir: HOST_PATHS.varDir,
    reportFile: `${HOST_PATHS.reports}/${run}.json`,
    runLog: HOST_PATHS.runLog,
    lockWait: o.lockWait,
    events: `${HOST_PATHS.reports}/${run}.events`,
    allowEmpty: o.allowEmpty,
  };
  return ['node', `${dir}/brine.js`, ...applyArgv(apply, o.states)];
}

/** The app release a host gets: the one built for it, or a rollback to one it has. */
export interface AppRelease {
  /** /srv/<project_name> on the host. */
  root: string;
  built?: BuiltRelease;
  rollback?: { to?: string };
}

export async function provisionHost(ctx: HostContext, t: Target, pillar: HostPillar, ev: HostEvents, app?: AppRelease): Promise<HostOutcome> {
  const conn: Connection = { agentStarted: false };
  const out = await runSteps(ctx, t, pillar, ev, conn, app);
  // The run may have changed sshd's keys (hardening): record what the host offers now.
  if (conn.agentStarted && conn.settings && !/^connection lost/.test(out.error ?? '')) {
    const record = await ctx.trust.afterRun(t, conn.settings, { changed: out.report ? out.report.summary.changed > 0 : true, test: ctx.test });
    if (record) out.hostKeys.push(record);
  }
  return out;
}

interface Connection {
  /** The host's ssh settings once its key check is set up. */
  settings?: SshSettings;
  agentStarted: boolean;
}

/**
 * The first step's connection is where ssh checks the host's key: when it refuses, trust says
 * why (or, with --accept-new for a host never seen, records its keys and we connect again).
 */
async function firstContact<T>(ctx: HostContext, t: Target, settings: SshSettings, out: HostOutcome, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof HostKeyError)) throw err;
    out.hostKeys.push(await ctx.trust.onRefused(t, settings, err));
    return step();
  }
}

async function runSteps(ctx: HostContext, t: Target, pillar: HostPillar, ev: HostEvents, conn: Connection, app?: AppRelease): Promise<HostOutcome> {
  const started = Date.now();
  const out: HostOutcome = { target: t, status: 'failed', exitCode: 1, earlier: [], running: [], durationMs: 0, hostKeys: [] };
  const finish = (status: HostStatus, error?: string): HostOutcome => {
    out.status = status;
    out.exitCode = status === 'pending' ? 2 : status === 'ok' || status === 'changed' ? 0 : 1;
    if (error) out.error = ctx.secrets.mask(error);
    out.durationMs = Date.now() - started;
    ev.phase('done', out.error ?? '', status);
    return out;
  };
  let run: string | undefined;
  let remote: Remote | undefined;
  let forgetUpload: (() => void) | undefined;
  try {
    ev.phase('bootstrap');
    const b0 = Date.now();
    const settings = (conn.settings = await ctx.trust.settingsFor(t, ctx.ssh));
    remote = new Remote(t.address, t.user, settings, ctx.spawn);
    const b = await firstContact(ctx, t, settings, out, () => remote!.bootstrap());
    out.bootstrap = { ...b, ms: Date.now() - b0 };
    const release = app && releaseFor(parseReleases(await remote.releases(app.root)), { built: app.built, rollback: app.rollback && { ...app.rollback, by: ctx.via } }, ctx.test, t.address);
    if (release) out.release = release.staged;
    const notes = [b.skipped ? '' : `bootstrapped: ${b.installed.join(', ') || 'directories'} (${b.node})`, release ? releaseNote(release.staged, ctx.test) : ''];
    ev.phase('upload', notes.filter(Boolean).join('; '));
    // What an earlier provision killed while uploading left on the host: its pillar, secrets too.
    const orphans = ctx.uploads?.orphans(t.address) ?? [];
    if (orphans.length) {
      const removed = await remote.removeOrphans(orphans.map((o) => o.run));
      orphans.forEach((o) => o.forget());
      for (const r of removed) ev.line(`removed the upload of an interrupted provision (${r}), with its pillar`);
    }
    run = makeRunId();
    forgetUpload = ctx.uploads?.note(t.address, run);
    // 0700 and named with this pid: removed on any exit but kill -9, after which the next
    // provision recognises it (sweepTempDirs) and removes it.
    const staging = mkdtempSync(tempDirPrefix('brine-upload'));
    const forgetStaging = removeOnExit(staging);
    try {
      // The bundle is CommonJS: a lone brine.js runs on the host's node as it is. With its
      // mtime, a host that ran this very bundle last time links it instead of receiving it.
      const agent = join(staging, 'brine.js');
      copyFileSync(ctx.agent, agent);
      const { atime, mtime } = statSync(ctx.agent);
      utimesSync(agent, atime, mtime);
      const pillarDir = stagePillar(ctx.dir, pillar, staging);
      const sources = [agent, join(ctx.dir, 'states'), pillarDir];
      if (release) sources.push(stageRelease(staging, release.manifest, release.archive));
      await remote.upload(run, sources, b.sudo);
    } finally {
      rmSync(staging, { recursive: true, force: true });
      forgetStaging();
    }
    ev.phase('run');
    conn.agentStarted = true;
    let launched: Launched;
    try {
      const onLine = (l: string) => {
        const e = parseEvent(l);
        if (e) ev.agent(e);
        else ev.line(ctx.secrets.mask(l));
      };
      launched = await remote.launch(run, ctx.via, agentArgv(ctx, t, run), onLine, () => ev.phase('collect'));
    } catch (err) {
      forgetUpload?.();
      if (!(err instanceof UnreachableError)) throw err;
      return finish('failed', `connection lost during the run (${err.detail}); the agent goes on on the host and the next provision shows its result`);
    }
    forgetUpload?.();
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
    // Removed, or noted for the next provision to remove.
    if (run && !conn.agentStarted && (await remote?.removeUpload(run))) forgetUpload?.();
    // Every line that shows it already names the host and the status: say only why.
    const unreachable = err instanceof UnreachableError && !conn.agentStarted;
    const message = err instanceof UnreachableError ? (unreachable ? err.detail : `unreachable: ${err.detail}`) : err instanceof Error ? err.message : String(err);
    return finish(unreachable ? 'unreachable' : 'failed', message);
  }
}

function releaseNote(r: StagedRelease, test: boolean): string {
  if (r.rollback) return `rolling back to release ${r.id}`;
  return `release ${r.id}: ${r.uploaded ? 'uploading' : test ? 'not sent in --test' : 'on the host already'}`;
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join('\n');
