// A run: a private dir (SSH key, known_hosts, ssh_config) and the hosts started in it.
// `startHosts` boots N hosts in parallel; `teardown` stops them all, also on Ctrl-C.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runsDir } from './config.js';
import { type FlavourRef } from './flavours.js';
import { raiseInotifyLimit } from './limits.js';
import { allocateSlots } from './network.js';
import { mountsUnder } from './overlay.js';
import { self } from './proc.js';
import { ensureRootfs } from './rootfs.js';
import { registerTeardown, unregisterTeardown } from './signals.js';
import { generateKey, writeSshConfig } from './ssh.js';
import { sweepStale } from './sweep.js';
import { stopHostsSync, TestHost, type RunContext } from './test-host.js';

export interface StartOptions {
  flavour?: FlavourRef;
  log?: (msg: string) => void;
}

/** Run dirs are named <pid>-<starttime>-<random>: the sweep tells a dead owner by name alone. */
export function runDirName(): string {
  const me = self();
  return `${me.pid}-${me.start}-${randomBytes(3).toString('hex')}`;
}

export class HostRun implements RunContext {
  readonly identity: string;
  readonly knownHosts: string;
  readonly sshConfigFile: string;
  readonly hosts: TestHost[] = [];
  private readonly teardownHook = () => this.teardownSync();

  private constructor(readonly dir: string) {
    this.identity = join(dir, 'id_ed25519');
    this.knownHosts = join(dir, 'known_hosts');
    this.sshConfigFile = join(dir, 'ssh_config');
  }

  static async create(): Promise<HostRun> {
    const run = new HostRun(join(runsDir, runDirName()));
    mkdirSync(run.dir, { recursive: true, mode: 0o700 });
    registerTeardown(run.teardownHook);
    await generateKey(run.identity);
    writeFileSync(run.knownHosts, '', { mode: 0o600 });
    return run;
  }

  /** Boots `count` more hosts of one flavour in parallel; on any failure stops them again. */
  async start(count: number, opts: StartOptions = {}): Promise<TestHost[]> {
    const rootfs = await ensureRootfs(opts.flavour ?? 'full', opts.log);
    const slots = await allocateSlots(count, this.dir);
    const hosts = slots.map((s) => new TestHost(s, rootfs.dir, this));
    this.hosts.push(...hosts);
    const raised = raiseInotifyLimit(this.hosts.length);
    if (raised) opts.log?.(`raised fs.inotify.max_user_instances ${raised.from} → ${raised.to} for ${this.hosts.length} hosts`);
    writeSshConfig(this.sshConfigFile, this.hosts.map((h) => ({ name: h.name, address: h.address })), this.identity, this.knownHosts);
    const results = await Promise.allSettled(hosts.map((h) => h.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      try {
        stopHostsSync(hosts);
      } catch {
        /* report the start failure; the sweep gets what is left */
      }
      throw failed.reason;
    }
    return hosts;
  }

  /** Stops every host, then removes the run dir (never while anything is mounted in it). */
  async teardown(): Promise<void> {
    this.teardownSync();
    await Promise.all(this.hosts.map((h) => h.reaped())); // no zombie nspawn left behind
  }

  /** Synchronous, so that signal handlers can use it (see signals.ts). */
  teardownSync(): void {
    unregisterTeardown(this.teardownHook);
    stopHostsSync(this.hosts);
    if (mountsUnder(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sweeps stale leftovers, then starts a run with `count` hosts. */
export async function startHosts(count: number, opts: StartOptions = {}): Promise<HostRun> {
  await sweepStale(opts.log);
  const run = await HostRun.create();
  try {
    await run.start(count, opts);
  } catch (err) {
    await run.teardown().catch(() => {});
    throw err;
  }
  return run;
}

/** Runs `fn` with `count` fresh hosts and always tears them down afterwards. */
export async function withHosts<T>(count: number, opts: StartOptions, fn: (hosts: TestHost[], run: HostRun) => Promise<T>): Promise<T> {
  const run = await startHosts(count, opts);
  try {
    return await fn(run.hosts, run);
  } finally {
    await run.teardown();
  }
}
