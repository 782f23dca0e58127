// `brine provision ENV`: every selected host in parallel (bounded), each through bootstrap,
// upload, run and collect; one live or plain view; then reports, the aggregate and exit code.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { BrineError, InventoryError } from '../core/errors.js';
import { removeOnExit } from '../core/on-exit.js';
import { sweepTempDirs } from '../host/leftovers.js';
import type { Style } from '../apply/report.js';
import type { ApplyOptions } from '../apply/options.js';
import { loginName } from '../apply/run-log.js';
import { Secrets } from '../core/secrets.js';
import { formatHostKeyRecords } from './host-keys/report.js';
import { HostTrust } from './host-keys/trust.js';
import { loadInventory, selectTargets } from './inventory.js';
import { pillarForHost, type HostPillar } from './pillar-select.js';
import { runPool } from './pool.js';
import { ProgressView } from './progress.js';
import { provisionHost, type HostContext, type HostOutcome } from './provision-host.js';
import { appRelease } from './release-plan.js';
import type { ReleaseOptions } from './release-build.js';
import { spawnProcess, type Spawn } from './runner.js';
import { closeArgv, type SshSettings } from './ssh.js';
import { UploadRecords } from './upload-records.js';
import { exitCodeOfAll, formatAggregate, formatEarlier, formatHost, jsonDocument } from './summary.js';

/** The command line's options, passed down as they are: each host's agent gets env, test and lockWait. */
export interface ProvisionOptions extends Pick<ApplyOptions, 'env' | 'dir' | 'test' | 'json' | 'lockWait' | 'allowEmpty'> {
  hosts?: string[];
  user?: string;
  ssh: SshSettings;
  parallel: number;
  states: string[];
  /** The bundle to upload (default: the running bundle, or dist/brine.js of this checkout). */
  agent?: string;
  /** Trust hosts seen for the first time and record their keys in pillar/<env>/known_hosts. */
  acceptNew?: boolean;
  /** How the app's release is made (`--ref`, `--allow-dirty`). */
  release?: ReleaseOptions;
  /** `brine rollback`: switch hosts back to a release they have instead of building one. */
  rollback?: { to?: string };
  /** brine's own directory on this machine: notes of uploads not yet started (upload-records.ts). */
  stateDir?: string;
}

export interface ProvisionIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  style: Style;
  spawn?: Spawn;
}

/** The bundle when running from it (whatever its name); from source (tests), this checkout's dist/brine.js. */
export function findAgent(given?: string): string {
  // __filename: the bundle itself when run from it (CommonJS), the source file under vitest.
  const self = __filename;
  const path = given ? resolve(given) : self.endsWith('.ts') ? resolve(dirname(self), '../../dist/brine.js') : self;
  if (!existsSync(path)) throw new BrineError(`the agent bundle ${path} is missing: run \`npm run build\``);
  return path;
}


export async function provision(o: ProvisionOptions, io: ProvisionIO): Promise<{ code: number; outcomes: HostOutcome[] }> {
  const started = Date.now();
  const dir = resolve(o.dir);
  if (!existsSync(join(dir, 'states'))) throw new InventoryError(`${dir} has no states/ directory (use --dir)`);
  const agentPath = findAgent(o.agent);
  const { targets, warnings } = selectTargets(loadInventory(dir, o.env), { hosts: o.hosts, user: o.user });
  for (const w of warnings) io.stderr.write(`brine: warning: ${w}\n`);
  // Every host's pillar is selected (and checked) before any host is touched.
  const pillars: HostPillar[] = targets.map((t) => pillarForHost(dir, o.env, t));
  const secrets = new Secrets();
  pillars.forEach((p) => secrets.absorb(p.secrets));
  const via = `${loginName()}@${hostname()}`;
  // Releases are made (and a dirty tree refused) before any host is touched.
  const apps = await appRelease(dir, pillars, o, via, io.spawn ?? spawnProcess);

  const out = o.json ? io.stderr : io.stdout;
  const several = targets.length > 1;
  const live = several && Boolean(out.isTTY) && !process.env.CI;
  const view = new ProgressView(out, targets.map((t) => t.address), live ? 'live' : 'plain', { style: io.style, secrets, streamAgent: !o.json });
  const spawn = io.spawn ?? spawnProcess;
  // What a provision killed with -9 left here: its upload staging, with the pillar.
  const swept = sweepTempDirs('brine-upload');
  if (swept.length) io.stderr.write(`brine: removed ${swept.length} temporary director${swept.length === 1 ? 'y' : 'ies'} an interrupted provision left: ${swept.join(', ')}\n`);
  // Each host's steps share one connection, through sockets in a dir only we can reach. Its
  // name stays short: a socket's path may not exceed 108 bytes.
  const controlDir = o.ssh.controlDir === undefined ? mkdtempSync(join(tmpdir(), 'brine-ssh-')) : undefined;
  const forgetControlDir = controlDir ? removeOnExit(controlDir) : () => undefined;
  const settings: SshSettings = { ...o.ssh, controlDir: o.ssh.controlDir ?? controlDir };
  const uploads = o.stateDir ? new UploadRecords(join(o.stateDir, 'uploads')) : undefined;
  const trust = new HostTrust({ dir, env: o.env, acceptNew: Boolean(o.acceptNew), spawn });
  const ctx: HostContext = { ...o, dir, agent: agentPath, ssh: settings, trust, spawn, via, secrets, uploads };
  let settled;
  try {
    settled = await runPool(targets, o.parallel, (t, i) =>
      provisionHost(ctx, t, pillars[i], { phase: (p, note, status) => view.phase(i, p, note, status), agent: (e) => view.event(i, e), line: (l) => view.line(i, l) }, apps.hosts[i]),
    );
  } finally {
    apps.cleanup();
    view.close();
    trust.close();
    if (controlDir) {
      await runPool(targets, o.parallel, (t) => spawn(closeArgv(settings, t.address, t.user), { timeoutMs: 10_000 }));
      rmSync(controlDir, { recursive: true, force: true });
    }
    forgetControlDir();
  }
  const outcomes = settled.map((s, i): HostOutcome => {
    if (s.ok) return s.value;
    const error = secrets.mask(s.error instanceof Error ? s.error.message : String(s.error));
    return { target: targets[i], status: 'failed', exitCode: 1, error, earlier: [], running: [], durationMs: 0, hostKeys: [] };
  });
  out.write(formatHostKeyRecords(outcomes.map((oc) => ({ address: oc.target.address, hostKeys: oc.hostKeys }))));
  const ms = Date.now() - started;
  if (o.json) io.stdout.write(jsonDocument(o.env, o.test, outcomes, ms, secrets));
  else {
    // A live view showed one line per host; the reports follow. Plain output streamed them.
    for (const oc of outcomes) out.write(live ? formatHost(oc, secrets, io.style) : formatEarlier(oc, secrets, io.style));
    out.write(formatAggregate(o.env, o.test, outcomes, ms, io.style));
  }
  return { code: exitCodeOfAll(outcomes), outcomes };
}
