import { describe, expect, it } from 'vitest';
import { FakeHost } from '../support/fake-host.js';
import { compileStates, results, run } from '../support/project.js';
import { applyAll, planOne } from './accounts-fixtures.js';

const CONF = '/etc/sysctl.d/99-brine.conf';

/** /proc/sys as a fake: `sysctl -w k=v` writes the file the plan reads back. */
function kernel(values: Record<string, string>): FakeHost {
  const host = new FakeHost().dir('/etc/sysctl.d');
  for (const [k, v] of Object.entries(values)) host.file(`/proc/sys/${k.replace(/\./g, '/')}`, v + '\n');
  return host.on(['sysctl', '-w'], (argv) => {
    const [k, v] = argv[2].split('=');
    host.file(`/proc/sys/${k.replace(/\./g, '/')}`, v.split(' ').join('\t') + '\n');
    return { exitCode: 0 };
  });
}
const body = (host: FakeHost, path = CONF) => (host.fs.get(path) as { data: Buffer } | undefined)?.data.toString();
const state = (id: string, key: string, value: string | number) => `${id}:\n  sysctl.present:\n    - name: ${key}\n    - value: ${JSON.stringify(value)}\n`;

describe('sysctl.present', () => {
  it('plans by reading /proc/sys and the config file only, then writes the line and sets the running value', async () => {
    const host = kernel({ 'net.ipv4.ip_forward': '0' });
    const plan = await planOne(state('fwd', 'net.ipv4.ip_forward', 1), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([`create ${CONF}: net.ipv4.ip_forward = 1`, 'net.ipv4.ip_forward: 0 → 1 (running)']);
    expect(plan.changes[0].diff).toContain('+net.ipv4.ip_forward = 1');
    expect(host.writes()).toEqual([]);
    expect(host.commands()).toEqual([]);
    expect(await applyAll(plan.changes, host)).toEqual([['sysctl', '-w', 'net.ipv4.ip_forward=1']]);
    expect(host.fs.get(CONF)).toMatchObject({ mode: 0o644, uid: 0, gid: 0 });
    expect((await planOne(state('fwd', 'net.ipv4.ip_forward', 1), host)).changes).toEqual([]);
  });

  it('shares one file between states: each owns its line, other lines stay', async () => {
    const host = kernel({ 'net.ipv4.ip_forward': '0', 'net.core.somaxconn': '4096', 'net.ipv4.ip_local_port_range': '32768\t60999' });
    host.file(CONF, '# mine\nvm.swappiness = 10\nnet.core.somaxconn=128\n');
    const states = state('fwd', 'net.ipv4.ip_forward', 1) + state('conn', 'net.core.somaxconn', 1024) + state('ports', 'net.ipv4.ip_local_port_range', '1024   65000');
    const report = await run(compileStates(states), host, false);
    expect(results(report)).toEqual({ fwd: 'changed', conn: 'changed', ports: 'changed' });
    expect(body(host)).toBe('# mine\nvm.swappiness = 10\nnet.core.somaxconn = 1024\nnet.ipv4.ip_forward = 1\nnet.ipv4.ip_local_port_range = 1024 65000\n');
    const again = await run(compileStates(states), host, false);
    expect(again.summary).toMatchObject({ changed: 0, failed: 0 });
    expect(host.commands()).toEqual([
      ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
      ['sysctl', '-w', 'net.core.somaxconn=1024'],
      ['sysctl', '-w', 'net.ipv4.ip_local_port_range=1024 65000'],
    ]);
  });

  it('keeps a line whose value already matches, drops later duplicates of the key', async () => {
    const host = kernel({ 'net.core.somaxconn': '1024' }).file(CONF, 'net/core/somaxconn   =   1024\nnet.core.somaxconn = 5\n');
    const plan = await planOne(state('conn', 'net.core.somaxconn', 1024), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([`update ${CONF}: net.core.somaxconn = 1024`]);
    await applyAll(plan.changes, host);
    expect(body(host)).toBe('net/core/somaxconn   =   1024\n');
  });

  it('sets only the running value when the file is right, and honours config:', async () => {
    const host = kernel({ 'net.core.somaxconn': '128' }).file('/etc/sysctl.d/50-app.conf', 'net.core.somaxconn = 1024\n');
    const plan = await planOne(state('conn', 'net.core.somaxconn', 1024) + '    - config: /etc/sysctl.d/50-app.conf\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['net.core.somaxconn: 128 → 1024 (running)']);
  });

  it('reports an unknown key as missing, and a failing sysctl -w with its stderr', async () => {
    const host = kernel({ 'kernel.pid_max': '4194304' });
    await expect(planOne(state('x', 'net.nosuch.key', 1), host)).rejects.toThrow('no such kernel parameter: net.nosuch.key');
    host.on(['sysctl', '-w'], { exitCode: 255, stderr: 'sysctl: permission denied on key "kernel.pid_max"' });
    const report = await run(compileStates(state('pid', 'kernel.pid_max', 100000)), host, false);
    expect(results(report)).toEqual({ pid: 'failed' });
    expect(report.states[0].comment).toContain('permission denied on key "kernel.pid_max"');
  });

  it('checks key, value and config at compile time', () => {
    expect(() => compileStates(state('x', 'net/../../etc/shadow', 1))).toThrow(/main.yaml:3: state 'x', field 'name': not a sysctl key/);
    expect(() => compileStates(state('x', 'net.core.somaxconn', '1\nvm.x = 2'))).toThrow(/main.yaml:4: state 'x', field 'value': must be one non-empty line/);
    expect(() => compileStates('x:\n  sysctl.present:\n    - name: net.core.somaxconn\n')).toThrow(/field 'value': is required/);
  });
});
