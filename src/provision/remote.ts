// One host as the controller sees it: every step is one ssh (or rsync) process with an argv,
// scripts on stdin, and commands run as root — directly, or through `sudo -n` for a developer.
import { randomBytes } from 'node:crypto';
import { HostKeyError, RemoteError, SudoError, UnreachableError } from '../core/errors.js';
import { parseBootstrap, parseCollected, type BootstrapResult, type Collected } from './collected.js';
import type { CommandResult } from '../host/types.js';
import type { Spawn } from './runner.js';
import { HOST_PATHS } from '../core/host-paths.js';
import { bootstrapArgs, collectArgs, collectInput, launchArgs, launchInput, scripts } from './scripts.js';
import { rsyncArgv, sshArgv, type SshSettings } from './ssh.js';

export interface Launched {
  exitCode: number;
  stderr: string;
  /** What the launcher collected after the run; absent when it stopped before (then collect()). */
  collected?: Collected;
}

/** Exit status the root wrapper uses for "no usable sudo" (the message names user and host). */
const NO_SUDO = 99;

/**
 * Runs "$@" as root: as is for root, else through `sudo -n` — after checking sudo works, so a
 * missing right is a clear error naming user and host rather than a password prompt.
 */
export const ROOT_WRAPPER = [
  'if [ "$(id -u)" -ne 0 ]; then',
  `command -v sudo >/dev/null 2>&1 || { echo "brine: $(id -un)@$(hostname): sudo is not installed and brine needs root" >&2; exit ${NO_SUDO}; };`,
  `sudo -n true 2>/dev/null || { echo "brine: $(id -un)@$(hostname) has no passwordless sudo (sudo -n failed)" >&2; exit ${NO_SUDO}; };`,
  'exec sudo -n -- "$@"; fi; exec "$@"',
].join(' ');

export function asRoot(argv: string[]): string[] {
  return ['sh', '-c', ROOT_WRAPPER, 'brine', ...argv];
}

export class Remote {
  constructor(
    readonly address: string,
    readonly user: string | undefined,
    private readonly settings: SshSettings,
    private readonly spawn: Spawn,
  ) {}

  /** `user@address` or just the address, for messages. */
  get label(): string {
    return this.user ? `${this.user}@${this.address}` : this.address;
  }

  /** Runs argv as root on the host; ssh's 255 means we never got (or lost) a connection. */
  async root(argv: string[], opts: { input?: string; onLine?: (l: string) => void } = {}): Promise<CommandResult> {
    const r = await this.spawn(sshArgv(this.settings, this.address, this.user, asRoot(argv)), opts);
    if (r.exitCode === 255) throw noConnection(this.address, r.stderr, 'ssh exited 255', this.user);
    if (r.exitCode === NO_SUDO && /^brine: /m.test(r.stderr)) throw new SudoError(this.address, lastLine(r.stderr).replace(/^brine: /, ''));
    return r;
  }

  async bootstrap(): Promise<BootstrapResult> {
    const r = await this.root(['sh', '-s', '--', ...bootstrapArgs], { input: scripts.bootstrap });
    const parsed = r.exitCode === 0 ? parseBootstrap(r.stdout) : undefined;
    if (!parsed) throw new RemoteError(this.address, 'bootstrap', tail(r.stderr || r.stdout) || `exit ${r.exitCode}`);
    return parsed;
  }

  async upload(run: string, sources: string[], sudo: boolean): Promise<void> {
    const r = await this.spawn(rsyncArgv(this.settings, this.address, this.user, { sources, dest: `${HOST_PATHS.runs}/${run}`, sudo, linkDest: HOST_PATHS.agent }));
    if (r.exitCode === 255) throw noConnection(this.address, r.stderr, 'rsync: ssh exited 255', this.user);
    if (r.exitCode !== 0) throw new RemoteError(this.address, 'upload', tail(r.stderr) || `rsync exit ${r.exitCode}`);
  }

  /**
   * Starts the agent detached and streams its event lines; resolves with its exit status and, when
   * the launcher got that far, what it collected after the run (this run's report among it).
   * `collecting` is called when the agent's output ends and collecting starts.
   */
  async launch(run: string, via: string, agent: string[], onLine: (l: string) => void, collecting?: () => void): Promise<Launched> {
    const mark = `@@brine-collect-${randomBytes(12).toString('hex')}`;
    let marked = false;
    const r = await this.root(['sh', '-s', '--', ...launchArgs(run, via), ...agent], {
      input: launchInput(mark),
      onLine: (l) => {
        if (marked) return;
        if (l !== mark) return onLine(l);
        marked = true;
        collecting?.();
      },
    });
    const at = marked ? r.stdout.indexOf(`${mark}\n`) : -1;
    return { exitCode: r.exitCode, stderr: r.stderr, collected: at < 0 ? undefined : parseCollected(r.stdout.slice(at + mark.length + 1)) };
  }

  async collect(): Promise<Collected> {
    return parseCollected(await this.rootOk('collect', ['sh', '-s', '--', ...collectArgs], collectInput));
  }

  /**
   * Removes uploads of runs that never started (an earlier provision was killed while sending
   * them); one whose job exists is the launcher's to finish. Returns the runs removed.
   */
  async removeOrphans(runs: string[]): Promise<string[]> {
    const script = 'run=$0 rep=$1; shift; for r in "$@"; do [ ! -e "$rep/$r.job" ] && [ ! -e "$rep/$r.pid" ] && [ -d "$run/$r" ] && rm -rf -- "$run/$r" && echo "$r"; done; true';
    const out = await this.rootOk('cleanup', ['sh', '-c', script, HOST_PATHS.runs, HOST_PATHS.reports, ...runs]);
    return out.split('\n').filter((l) => runs.includes(l));
  }

  /** Best effort after a failed start: the upload holds the pillar. */
  async removeUpload(run: string): Promise<boolean> {
    const r = await this.root(['rm', '-rf', '--', `${HOST_PATHS.runs}/${run}`]).catch(() => undefined);
    return r?.exitCode === 0;
  }

  /** The app's releases under `root` (/srv/<project>), as releases.sh prints them. */
  async releases(root: string): Promise<string> {
    const r = await this.root(['sh', '-s', '--', root], { input: scripts.releases });
    if (r.exitCode !== 0) throw new RemoteError(this.address, 'releases', tail(r.stderr) || `exit ${r.exitCode}`);
    return r.stdout;
  }

  async readRunLog(lines: number): Promise<string> {
    return this.rootOk('history', ['sh', '-c', 'test ! -e "$1" || tail -n "$2" -- "$1"', 'brine', HOST_PATHS.runLog, String(lines)]);
  }

  /** Runs argv as root; its stdout, or a RemoteError naming the step when it fails. */
  private async rootOk(step: string, argv: string[], input?: string): Promise<string> {
    const r = await this.root(argv, { input });
    if (r.exitCode !== 0) throw new RemoteError(this.address, step, tail(r.stderr) || `exit ${r.exitCode}`);
    return r.stdout;
  }
}

/**
 * ssh's 255: its host key check refused the host (host-keys/trust.ts explains which way), or the
 * host answered and refused root — after the first run the shipped sshd state turns root login
 * off, so say who to log in as instead — or no connection.
 */
function noConnection(address: string, stderr: string, fallback: string, user?: string): Error {
  if (/^Host key verification failed\.$/m.test(stderr)) return new HostKeyError(address, 'Host key verification failed.', stderr);
  if (/Permission denied \(/.test(stderr) && (user === 'root' || (!user && /(^|\s)root@\S+: Permission denied/m.test(stderr)))) {
    return new RemoteError(address, 'login', `root login refused by ${address} (brine turned it off); provision as a developer: -u NAME (one with sudo: true)`);
  }
  return new UnreachableError(address, lastLine(stderr) || fallback);
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';
const tail = (s: string) => s.trim().split('\n').slice(-8).join('\n');
