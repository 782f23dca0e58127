// The whole controller against a scripted ssh: several hosts, aggregate exit codes, JSON, masking.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { provision } from '../../src/provision/provision.js';
import { makeProject } from '../support/project.js';
import { collected, FakeSsh, report } from './fake-ssh.js';
import { tempDir } from '../support/temp.js';

const SECRET = 'agg-secret-19ab7c';

class Sink {
  text = '';
  isTTY = false;
  write(s: string) {
    this.text += s;
    return true;
  }
}

function project() {
  return makeProject({
    'states/top.yaml': "base:\n  '*': [app]\n",
    'states/app.yaml': 'x:\n  cmd.run: []\n',
    'pillar/top.yaml': "staging:\n  'roles:db': [staging.secrets]\n",
    'pillar/staging/secrets.yaml': `pw: ${SECRET}\n`,
    'pillar/staging/env.yaml': 'hosts:\n  - {address: 10.0.0.1, roles: [db]}\n  - {address: 10.0.0.2, roles: [web]}\n  - {address: 10.0.0.3, roles: [web]}\n',
  });
}

async function run(fake: FakeSsh, over: Record<string, unknown> = {}) {
  const agent = join(tempDir('brine-agent-'), 'brine.js');
  writeFileSync(agent, '//\n');
  const stdout = new Sink();
  const stderr = new Sink();
  const r = await provision(
    { env: 'staging', dir: project(), ssh: { options: [] }, parallel: 2, test: false, json: false, states: [], agent, lockWait: 1, ...over },
    { stdout: stdout as never, stderr: stderr as never, style: { color: false }, spawn: fake.spawn },
  );
  return { ...r, stdout: stdout.text, stderr: stderr.text };
}

describe('provision (controller)', () => {
  it('one unreachable host fails the run (exit 1) without stopping the others', async () => {
    const fake = new FakeSsh();
    fake.on('10.0.0.2', 'bootstrap', { exitCode: 255, stderr: 'ssh: connect to host 10.0.0.2 port 22: Connection timed out\n' });
    fake.on('10.0.0.1', 'launch', { lines: [`echo ${SECRET}`] });
    const r = await run(fake);
    expect(r.code).toBe(1);
    expect(r.outcomes.map((o) => o.status)).toEqual(['changed', 'unreachable', 'changed']);
    // …and the shared connection is closed at the end (ssh -O exit), for every host.
    expect(fake.steps('10.0.0.3')).toEqual(['bootstrap', 'upload', 'launch', 'other']);
    const close = fake.calls.filter((c) => c.step === 'other');
    expect(close).toHaveLength(3);
    expect(close[0].argv.slice(-4)).toEqual(['-O', 'exit', '--', '10.0.0.1']);
    const controlPath = close[0].argv.find((a) => a.startsWith('ControlPath='))!;
    expect(fake.calls.filter((c) => c.step !== 'upload').every((c) => c.argv.includes(controlPath))).toBe(true);
    expect(existsSync(controlPath.slice('ControlPath='.length, -'/%C'.length))).toBe(false);
    expect(r.stdout).toMatch(/10\.0\.0\.2 +unreachable .*Connection timed out/);
    expect(r.stdout).toMatch(/Hosts: 3 {2}ok: 2 \(changed: 2\) {2}failed: 0 {2}unreachable: 1/);
    expect(r.stdout).toContain('10.0.0.1 | echo ********');
    expect(r.stdout).not.toContain(SECRET);
  });

  it('--test: exit 2 when any host has pending changes, 0 when none', async () => {
    const pending = new FakeSsh();
    pending.on('10.0.0.3', 'collect', (run) => ({ stdout: collected(run, 2, report({ changed: 0, pending: 2 }, true)) }));
    expect((await run(pending, { test: true })).code).toBe(2);
    const clean = new FakeSsh();
    for (const h of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) clean.on(h, 'collect', (run) => ({ stdout: collected(run, 0, report({ changed: 0 }, true)) }));
    const r = await run(clean, { test: true });
    expect(r.code).toBe(0);
    expect(r.outcomes.every((o) => o.status === 'ok')).toBe(true);
  });

  it('--json: one masked document on stdout, progress on stderr', async () => {
    const fake = new FakeSsh();
    const leaky = report();
    leaky.states = [{ id: 'x', function: 'cmd.run', name: SECRET, sls: 'app', file: 'f', line: 1, result: 'changed', changes: [], comment: '', durationMs: 1 }];
    fake.on('10.0.0.1', 'collect', (run) => ({ stdout: collected(run, 0, leaky) }));
    fake.on('10.0.0.3', 'collect', (run) => ({ stdout: collected(run, 1, report({ failed: 1 })) }));
    const r = await run(fake, { json: true, hosts: ['10.0.0.1', '10.0.0.3'] });
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ env: 'staging', exitCode: 1, summary: { hosts: 2, changed: 1, failed: 1 } });
    expect(doc.hosts.map((h: { address: string; status: string }) => [h.address, h.status])).toEqual([['10.0.0.1', 'changed'], ['10.0.0.3', 'failed']]);
    expect(doc.hosts[0].report.states[0].name).toBe('********');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderr).toMatch(/10\.0\.0\.1: bootstrap/);
  });

  it('bounded: never more hosts at once than --parallel', async () => {
    const fake = new FakeSsh();
    fake.delayMs = 5;
    let inFlight = 0;
    let peak = 0;
    const spawn = fake.spawn;
    fake.spawn = async (argv, opts) => {
      const first = opts?.input?.includes('brine bootstrap');
      if (first) peak = Math.max(peak, ++inFlight);
      const r = await spawn(argv, opts);
      if (opts?.input?.includes('brine collector')) inFlight--;
      return r;
    };
    await run(fake, { parallel: 2 });
    expect(peak).toBe(2);
  });
});
