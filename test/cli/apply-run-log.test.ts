// What `provision` needs from the agent: --report-file (masked JSON), the run log, --lock-wait, --events.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parseEvent } from '../../src/apply/events.js';
import { parseRunLog } from '../../src/apply/run-log.js';
import { makeProject } from '../support/project.js';
import { BUNDLE } from './support.js';
import { tempDir } from '../support/temp.js';

const SECRET = 'runlog-secret-77aa';

function project(target: string) {
  return makeProject({
    'states/top.yaml': `base:\n  '*': [app]\n`,
    'states/app.yaml': `${target}/token:\n  file.managed:\n    contents: {{yaml pillar.token}}\n    mode: 600\n`,
    'pillar/top.yaml': `base:\n  '*': [secrets]\n`,
    'pillar/secrets.yaml': `token: ${SECRET}\n`,
  });
}

function apply(dir: string, varDir: string, extra: string[], env: Record<string, string> = {}) {
  return execa('node', [BUNDLE, 'apply', '--env', 'staging', '--dir', dir, '--var-dir', varDir, ...extra], {
    reject: false,
    env: { NO_COLOR: '1', ...env },
  });
}

describe('apply: what provision needs', () => {
  it('writes the masked report file and one masked run-log line per real apply, none for --test', async () => {
    const target = tempDir('brine-target-');
    const dir = project(target);
    const varDir = tempDir('brine-var-');
    const log = join(varDir, 'log', 'runs.jsonl');
    const report = join(varDir, 'report.json');
    const t = await apply(dir, varDir, ['--test', '--run-log', log, '--report-file', report]);
    expect(t.exitCode).toBe(2);
    expect(existsSync(log)).toBe(false);
    expect(JSON.parse(readFileSync(report, 'utf8')).summary.pending).toBe(1);

    const r = await apply(dir, varDir, ['--run-log', log, '--report-file', report], { SUDO_USER: 'alice', BRINE_VIA: 'alice@laptop' });
    expect(r.exitCode).toBe(0);
    const text = readFileSync(report, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).summary.changed).toBe(1);
    const entries = parseRunLog(readFileSync(log, 'utf8'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ who: 'alice', via: 'alice@laptop', env: 'staging', states: ['app'], exitCode: 0 });
    expect(entries[0].changed[0].id).toBe(`${target}/token`);
    expect(readFileSync(log, 'utf8')).not.toContain(SECRET);
  });

  it('streams masked events: each state as it starts and finishes, then the summary; or why it stopped', async () => {
    const target = tempDir('brine-target-');
    const dir = project(target);
    const varDir = tempDir('brine-var-');
    const file = join(varDir, 'run.events');
    const events = () => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => parseEvent(l));
    expect((await apply(dir, varDir, ['--events', file])).exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    const id = `${target}/token`;
    expect(events()).toMatchObject([
      { event: 'started', id, function: 'file.managed' },
      { event: 'state', state: { id, result: 'changed', changes: [{ summary: expect.stringMatching(/^create file/) }] } },
      { event: 'summary', report: { test: false, env: 'staging', summary: { changed: 1, failed: 0, total: 1 } } },
    ]);
    const bad = makeProject({ 'states/top.yaml': `base:\n  '*': [missing]\n` });
    writeFileSync(file, '');
    expect((await apply(bad, varDir, ['--events', file])).exitCode).toBe(1);
    expect(events()).toEqual([{ event: 'error', message: expect.stringMatching(/state file 'missing' not found/) }]);
  });

  it('logs a run that failed before planning, with the reason', async () => {
    const dir = makeProject({ 'states/top.yaml': `base:\n  '*': [missing]\n` });
    const varDir = tempDir('brine-var-');
    const log = join(varDir, 'runs.jsonl');
    const r = await apply(dir, varDir, ['--run-log', log]);
    expect(r.exitCode).toBe(1);
    const [entry] = parseRunLog(readFileSync(log, 'utf8'));
    expect(entry.exitCode).toBe(1);
    expect(entry.error).toMatch(/state file 'missing' not found/);
  });

  it('waits for a held lock with --lock-wait, and fails at once without it', async () => {
    const target = tempDir('brine-target-');
    const dir = project(target);
    const varDir = tempDir('brine-var-');
    // The holder lives until the waiter says it is waiting: no race with a loaded machine.
    const holder = execa('sleep', ['120']);
    const lock = { pid: holder.pid, user: 'bob', host: 'h', since: new Date().toISOString(), what: 'apply --env staging' };
    writeFileSync(join(varDir, 'apply.lock'), JSON.stringify(lock));
    const now = await apply(dir, varDir, []);
    expect(now.exitCode).toBe(1);
    expect(now.stderr).toMatch(/another brine apply holds/);
    const waiter = apply(dir, varDir, ['--lock-wait', '30']);
    let stderr = '';
    await new Promise<void>((resolve) => {
      waiter.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/waiting up to 30 s/.test(stderr)) resolve();
      });
      void waiter.then(() => resolve());
    });
    holder.kill();
    await holder.catch(() => undefined);
    const r = await waiter;
    expect(stderr).toMatch(/waiting up to 30 s/);
    expect(r.exitCode).toBe(0);
  });
});
