// The agent's process runner, against real processes (sh, cat, env, pwd, sleep).
import { describe, expect, it } from 'vitest';
import { spawnCaptured } from '../../src/host/spawn.js';

describe('spawnCaptured', () => {
  it('captures stdout, stderr and the exit status, with stdin given', async () => {
    const r = await spawnCaptured(['sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'in\nput' });
    expect(r).toEqual({ exitCode: 3, stdout: 'in\nput', stderr: 'err\n' });
  });

  it('closes stdin at once when there is no input, and adds env to the environment', async () => {
    const r = await spawnCaptured(['sh', '-c', 'cat; printf "%s %s" "$BRINE_X" "${PATH:+path}"'], { env: { BRINE_X: 'x' } });
    expect(r).toEqual({ exitCode: 0, stdout: 'x path', stderr: '' });
  });

  it('runs in cwd, and passes arguments as they are (no shell)', async () => {
    expect((await spawnCaptured(['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    expect((await spawnCaptured(['printf', '%s|', 'a b', '$HOME', "'q'"])).stdout).toBe("a b|$HOME|'q'|");
  });

  it('gives 127 and a message for a program that does not exist', async () => {
    const r = await spawnCaptured(['/nonexistent/brine-nope', 'x']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/^\/nonexistent\/brine-nope: spawn \/nonexistent\/brine-nope ENOENT/);
  });

  it('ends a process that outlives its timeout with SIGTERM, and says so', async () => {
    const t0 = Date.now();
    const r = await spawnCaptured(['sh', '-c', 'echo started; exec sleep 10'], { timeout: 200 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.exitCode).toBe(128 + 15);
    expect(r.stdout).toBe('started\n');
    expect(r.stderr).toBe('sh: timed out after 200 ms (SIGTERM)');
  });

  it('does not mind a process that exits without reading a large input', async () => {
    const r = await spawnCaptured(['true'], { input: 'x'.repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });
});
