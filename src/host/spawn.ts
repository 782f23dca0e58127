// One process for the agent's host runner: argv only (never a shell), stdin given, stdout and
// stderr captured whole, every outcome a result (nothing thrown). node:child_process directly:
// on Debian's nodejs, loading execa costs each agent start about 25 ms (a tenth of a no-op
// apply), and the agent uses none of its extras. The controller's runner keeps execa.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface SpawnInput {
  /** Fed to stdin, which is then closed (empty: stdin is closed at once). */
  input?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Milliseconds before the process gets SIGTERM. */
  timeout?: number;
}

export interface Captured {
  /** The process's status; 127 when it could not be found, 128+N when signal N ended it. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function spawnCaptured(argv: string[], o: SpawnInput = {}): Promise<Captured> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let done = false;
    const finish = (exitCode: number, note = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: note ? stderr + (stderr && !stderr.endsWith('\n') ? '\n' : '') + note : stderr });
    };
    const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: 'pipe' });
    const timer = o.timeout ? setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), o.timeout) : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A process that exits without reading its input closes the pipe under us: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Never started (not found, not executable): no 'close' follows.
      if (child.pid === undefined) finish(e.code === 'ENOENT' ? 127 : 126, `${argv[0]}: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      if (code !== null) return finish(code);
      const n = (signal && constants.signals[signal]) || 0;
      finish(128 + n, timedOut ? `${argv[0]}: timed out after ${o.timeout} ms (${signal})` : `${argv[0]}: killed by ${signal}`);
    });
  });
}
