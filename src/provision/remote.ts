// One host as the controller sees it: every step is one ssh (or rsync) process with an argv,
// scripts on stdin, and commands run as root — directly, or through `sudo -n` for a developer.
import { randomBytes } from 'node:crypto';
import { RemoteError, SudoError, UnreachableError } from '../core/errors.js';
import { parseBootstrap, parseCollected, type BootstrapResult, type Collected } from './collected.js';
import type { Spawn, SpawnResult } from './runner.js';
import { bootstrapVersion, collectInput, launchInput, scripts } from './scripts.js';
import { rsyncArgv, sshArgv, type SshSettings } from './ssh.js';

export const RUN_ROOT = '/var/lib/brine/run';
export const REPORT_ROOT = '/var/lib/brine/reports';
export const RUN_LOG = '/var/log/brine/runs.jsonl';
/**
 * The last agent a run started, hard-linked there by the launcher: an upload of the same bundle
 * links it instead of sending it again (rsync --link-dest).
 */
export const AGENT_DIR = '/var/lib/brine/agent';

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
  async root(argv: string[], opts: { input?: string; onLine?: (l: string) => void; step: string }): Promise<SpawnResult> {
    const r = await this.spawn(sshArgv(this.settings, this.address, this.user, asRoot(argv)), opts);
    if (r.exitCode === 255) throw this.sshFailure(r.stderr);
    if (r.exitCode === NO_SUDO && /^brine: /m.test(r.stderr)) throw new SudoError(this.address, lastLine(r.stderr).replace(/^brine: /, ''));
    return r;
  }

  /**
   * ssh's 255: unreachable, unless the host answered and refused root: after the first run the
   * shipped sshd state turns root login off, so say who to log in as instead.
   */
  private sshFailure(stderr: string): Error {
    if (this.user === 'root' && /Permission denied \(/.test(stderr)) {
      return new RemoteError(this.address, 'login', `root login refused by ${this.address} (brine turned it off); provision as a developer: -u NAME (one with sudo: true)`);
    }
    return new UnreachableError(this.address, lastLine(stderr) || 'ssh exited 255');
  }

  async bootstrap(): Promise<BootstrapResult> {
    const r = await this.root(['sh', '-s', '--', bootstrapVersion], { input: scripts.bootstrap, step: 'bootstrap' });
    const parsed = r.exitCode === 0 ? parseBootstrap(r.stdout) : undefined;
    if (!parsed) throw new RemoteError(this.address, 'bootstrap', tail(r.stderr || r.stdout) || `exit ${r.exitCode}`);
    return parsed;
  }

  async upload(run: string, sources: string[], sudo: boolean): Promise<void> {
    const r = await this.spawn(rsyncArgv(this.settings, this.address, this.user, { sources, dest: `${RUN_ROOT}/${run}`, sudo, linkDest: AGENT_DIR }));
    if (r.exitCode === 255) throw new UnreachableError(this.address, lastLine(r.stderr) || 'rsync: ssh exited 255');
    if (r.exitCode !== 0) throw new RemoteError(this.address, 'upload', tail(r.stderr) || `rsync exit ${r.exitCode}`);
  }

  /**
   * Starts the agent detached and streams its output; resolves with its exit status and, when
   * the launcher got that far, what it collected after the run (this run's report among it).
   * `collecting` is called when the agent's output ends and collecting starts.
   */
  async launch(run: string, via: string, agent: string[], onLine: (l: string) => void, collecting?: () => void): Promise<Launched> {
    const mark = `@@brine-collect-${randomBytes(12).toString('hex')}`;
    let marked = false;
    const r = await this.root(['sh', '-s', '--', run, via, ...agent], {
      input: launchInput(mark),
      onLine: (l) => {
        if (marked) return;
        if (l !== mark) return onLine(l);
        marked = true;
        collecting?.();
      },
      step: 'run',
    });
    const at = marked ? r.stdout.indexOf(`${mark}\n`) : -1;
    return { exitCode: r.exitCode, stderr: r.stderr, collected: at < 0 ? undefined : parseCollected(r.stdout.slice(at + mark.length + 1)) };
  }

  async collect(): Promise<Collected> {
    const r = await this.root(['sh', '-s'], { input: collectInput, step: 'collect' });
    if (r.exitCode !== 0) throw new RemoteError(this.address, 'collect', tail(r.stderr) || `exit ${r.exitCode}`);
    return parseCollected(r.stdout);
  }

  /** Best effort after a failed start: the upload holds the pillar. */
  async removeUpload(run: string): Promise<void> {
    await this.root(['rm', '-rf', '--', `${RUN_ROOT}/${run}`], { step: 'cleanup' }).catch(() => undefined);
  }

  async readRunLog(lines: number): Promise<string> {
    const r = await this.root(['sh', '-c', 'test ! -e "$1" || tail -n "$2" -- "$1"', 'brine', RUN_LOG, String(lines)], { step: 'history' });
    if (r.exitCode !== 0) throw new RemoteError(this.address, 'history', tail(r.stderr) || `exit ${r.exitCode}`);
    return r.stdout;
  }
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';
const tail = (s: string) => s.trim().split('\n').slice(-8).join('\n');
