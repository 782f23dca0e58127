// One disposable Debian host: overlay root, bridge, nspawn container, reached over SSH.
// Tests get `ssh`, `rsync`, `reboot`, `fingerprint`; `stop` tears down whatever was set up.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { timeouts } from './config.js';
import { removeCgroups } from './cgroup.js';
import { Container, diagnostics, EXIT_REBOOT, stopContainersSync } from './container.js';
import { takeFingerprint, type Fingerprint } from './fingerprint.js';
import { createBridge, deleteBridge, releaseSlot, type Slot } from './network.js';
import { mountOverlay, mountsUnder, overlayDirs, unmountAll, writeHostFiles } from './overlay.js';
import { isAlive, type ProcessId } from './proc.js';
import { settle } from './settle.js';
import { pinHostKeys, rsyncArgv, runSsh, type SshOptions, type SshResult } from './ssh.js';

/** What a host needs from the run it belongs to. */
export interface RunContext {
  dir: string;
  identity: string;
  sshConfigFile: string;
  /** The run's known_hosts: every host's keys pinned before it boots. */
  knownHosts: string;
}

export class TestHost {
  readonly name: string;
  readonly address: string;
  readonly dir: string;
  readonly logFile: string;
  /** Milliseconds from nspawn start until SSH answered, for the last boot. */
  sshMs = 0;
  /** Milliseconds from nspawn start until systemd reported the boot finished. */
  bootMs = 0;

  private container?: Container;
  private stopped = false;

  constructor(
    readonly slot: Slot,
    readonly lowerDir: string,
    private readonly run: RunContext,
  ) {
    this.name = slot.name;
    this.address = slot.hostAddress;
    this.dir = join(run.dir, slot.name);
    this.logFile = join(this.dir, 'nspawn.log');
  }

  get sshConfigFile(): string {
    return this.run.sshConfigFile;
  }

  get identity(): string {
    return this.run.identity;
  }

  /** PID of systemd-nspawn while it runs (for checks that it is gone after teardown). */
  get nspawnPid(): number | undefined {
    return this.nspawnId?.pid;
  }

  /** Sets up the overlay and bridge, boots, and waits until SSH answers. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const dirs = overlayDirs(this.dir);
    await mountOverlay(this.lowerDir, dirs);
    writeHostFiles(dirs.merged, {
      name: this.name,
      address: this.address,
      gateway: this.slot.gatewayAddress,
      authorizedKey: readFileSync(`${this.run.identity}.pub`, 'utf8'),
    });
    // The image's host keys, shared by every host made from it (TESTHOSTS.md): known_hosts
    // lines are per address, so each host is still checked strictly. rekey() makes its own.
    const sshDir = join(dirs.merged, 'etc/ssh');
    const pubs = readdirSync(sshDir).filter((f) => /^ssh_host_.*_key\.pub$/.test(f));
    pinHostKeys(this.run.knownHosts, this.address, pubs.map((f) => readFileSync(join(sshDir, f), 'utf8')).join('\n'));
    await createBridge(this.slot);
    await this.boot(true); // a fresh image must boot clean
  }

  /** Boots and waits for SSH and for systemd to finish; `strict`: a failed unit is an error. */
  private async boot(strict: boolean): Promise<void> {
    const t0 = Date.now();
    const dirs = overlayDirs(this.dir);
    this.container = Container.start({ name: this.name, bridge: this.slot.bridge, merged: dirs.merged, logFile: this.logFile });
    const deadline = t0 + timeouts.bootMs;
    for (;;) {
      if (!this.container.running) {
        throw new Error(`${this.name}: systemd-nspawn exited (${this.container.exitCode}) before SSH answered\n${await this.diagnostics()}`);
      }
      const probe = await execa('ssh', ['-o', 'ConnectTimeout=1', '-F', this.sshConfigFile, this.name, 'true'], { reject: false, timeout: 10_000 });
      if (probe.exitCode === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`${this.name} (${this.address}): SSH did not answer within ${timeouts.bootMs} ms (last: ${probe.stderr.trim()})\n${await this.diagnostics()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    this.sshMs = Date.now() - t0;
    const settled = await settle((argv, opts) => this.ssh(argv, opts));
    if (settled.state !== 'running' && strict) {
      throw new Error(`${this.name}: booted '${settled.state}', failed: ${settled.failed.join(' ')}\n${await this.diagnostics()}`);
    }
    this.bootMs = Date.now() - t0;
  }

  ssh(command: string[] | string, opts: SshOptions = {}): Promise<SshResult> {
    return runSsh(this.sshConfigFile, this.name, command, opts);
  }

  /** Like ssh, but throws (with stderr) unless the command exits 0. */
  async sshOk(command: string[] | string, opts: SshOptions = {}): Promise<string> {
    const r = await this.ssh(command, opts);
    if (r.exitCode !== 0) {
      throw new Error(`${this.name}: ${JSON.stringify(command)} exited ${r.exitCode}:\n${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  /** The host's SSH host keys as this run pins them: `TYPE BASE64` each. */
  hostKeys(): string[] {
    const lines = readFileSync(this.run.knownHosts, 'utf8').split('\n');
    return lines.filter((l) => l.startsWith(`${this.address} `)).map((l) => l.slice(this.address.length + 1));
  }

  /**
   * New SSH host keys for this host, as when a server is rebuilt on the same address; the run's
   * known_hosts pins them (the harness's own ssh keeps working), nothing else trusts them yet.
   */
  async rekey(): Promise<void> {
    const script = 'rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub && ssh-keygen -A >/dev/null && cat /etc/ssh/ssh_host_*_key.pub && systemctl restart ssh';
    pinHostKeys(this.run.knownHosts, this.address, await this.sshOk(script));
  }

  /** rsync -a local `src` to `dest` on the host (or host → local with `pull`). */
  async rsync(src: string, dest: string, opts: { pull?: boolean } = {}): Promise<void> {
    await execa('rsync', rsyncArgv(this.sshConfigFile, this.name, src, dest, opts.pull));
  }

  /** Reboots like a real server: the overlay keeps its changes, the container restarts. */
  async reboot(): Promise<void> {
    if (!this.container?.running) throw new Error(`${this.name} is not running`);
    const req = await this.ssh(['systemctl', 'reboot'], { timeout: 15_000 }); // the connection may drop
    const code = await this.container.waitExit(timeouts.bootMs);
    if (code !== EXIT_REBOOT) {
      const asked = `systemctl reboot: exit ${req.exitCode} ${req.stderr.trim()}`;
      throw new Error(`${this.name}: expected nspawn to exit ${EXIT_REBOOT} on reboot, got ${code} (${asked})\n${await this.diagnostics()}`);
    }
    await this.boot(false); // what a test configured may fail to start: for the test to see
  }

  /** nspawn output and the container journal's tail, for error messages. */
  diagnostics(): Promise<string> {
    return diagnostics(this.logFile, overlayDirs(this.dir).merged);
  }

  fingerprint(): Promise<Fingerprint> {
    return takeFingerprint((argv, opts) => this.ssh(argv, opts));
  }

  /** Idempotent; safe after a failed start. */
  async stop(): Promise<void> {
    stopHostsSync([this]);
    await this.reaped();
  }

  /** Resolves once our child nspawn has been reaped (the event loop does that). */
  async reaped(): Promise<void> {
    await this.container?.waitExit(10_000);
  }

  /** The container's nspawn while it runs (pid + start time). */
  get nspawnId(): ProcessId | undefined {
    return this.container && isAlive(this.container.id) ? this.container.id : undefined;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** After the container is gone: unmount, bridge, cgroups, slot, dir (never while mounted). */
  cleanupSync(): void {
    unmountAll(this.dir);
    deleteBridge(this.slot.bridge);
    removeCgroups(this.name);
    releaseSlot(this.slot);
    if (existsSync(this.dir) && mountsUnder(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
    this.stopped = true;
  }
}

/**
 * Tears hosts down synchronously: all containers are asked to power off at once, then each
 * host is cleaned up. Synchronous so the same code serves SIGINT/SIGTERM handlers.
 */
export function stopHostsSync(hosts: TestHost[]): void {
  const live = hosts.filter((h) => !h.isStopped);
  stopContainersSync(live.map((h) => h.nspawnId).filter((id): id is ProcessId => !!id), timeouts.stopMs);
  const errors: unknown[] = [];
  for (const h of live) {
    try {
      h.cleanupSync();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}
