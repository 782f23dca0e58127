// End to end on a disposable Debian host (root + systemd-nspawn, test/harness): group, user,
// ssh_auth and sysctl states through the real bundle over SSH, and real SSH logins with real keys.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diffFingerprints, formatDiff, isEmptyDiff, type TestHost } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { BUNDLE } from '../cli/support.js';
import { makeProject } from '../support/project.js';
import { applyReport, makeDev } from './stack-support.js';
import { tempDir } from '../support/temp.js';


const STATES = `
ops:
  group.present:
    - gid: 2500
deploy:
  user.present:
    - uid: 2501
    - shell: /bin/bash
    - fullname: Deploy Bot
    - groups: [ops]
    - optional_groups: [docker]
    - require:
      - group: ops
deploy-keys:
  ssh_auth.manage:
    - user: deploy
    - ssh_keys: {{yaml pillar.deploy_keys}}
    - require:
      - user: deploy
mallory:
  user.present:
    - locked: {{yaml pillar.mallory_locked}}
mallory-keys:
  ssh_auth.present:
    - user: mallory
    - name: {{yaml pillar.mallory_key}}
    - require:
      - user: mallory
forwarding:
  sysctl.present:
    - name: net.ipv4.ip_forward
    - value: 1
backlog:
  sysctl.present:
    - name: net.core.somaxconn
    - value: 1024
`;

describeHosts('account kinds on a real Debian host', () => {
  const env = useHosts(1, { flavour: 'full' });
  let host: TestHost;
  const keys: Record<'dev1' | 'dev2' | 'mallory', { path: string; pub: string }> = {} as never;
  const timings: Record<string, number> = {};
  let local: string;

  /** Write the project with this pillar and copy it to the host. */
  async function project(pillar: { deploy_keys: string[]; mallory_locked: boolean }) {
    makeProject(
      {
        'states/top.yaml': "base:\n  '*': [accounts]\n",
        'states/accounts.yaml': STATES,
        'pillar/top.yaml': "base:\n  '*': [accounts]\n",
        'pillar/accounts.yaml': JSON.stringify({ ...pillar, mallory_key: keys.mallory.pub }),
      },
      local,
    );
    await host.rsync(`${local}/`, '/root/project/');
  }

  /** `brine apply` on the host, timed, with its JSON report and the number of processes it started. */
  async function brine(label: string, ...args: string[]) {
    const t0 = Date.now();
    const argv = ['node', '--require', '/root/count-spawns.cjs', '/root/brine.js', 'apply', '--env', 'test', '--dir', '/root/project', '--json', ...args];
    const { code, report, stderr } = await applyReport(host, argv);
    timings[label] = Date.now() - t0;
    const spawns = Number(/brine: spawned (\d+) processes/.exec(stderr)?.[1] ?? NaN);
    const byId = Object.fromEntries(report.states.map((s) => [s.id, s]));
    return { code, report, byId, spawns, stderr };
  }

  /** A real SSH login as `user` offering only `key`: 0 when it gets in, 255 when refused. */
  async function login(user: string, key: string): Promise<number> {
    const argv = ['-F', '/dev/null', '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${env.run.knownHosts}`];
    argv.push('-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', '-l', user, host.address, 'true');
    return (await execa('ssh', argv, { reject: false, timeout: 30_000 })).exitCode ?? -1;
  }

  beforeAll(async () => {
    host = env.hosts[0];
    timings.boot = host.bootMs;
    if (!existsSync(BUNDLE)) await execa('npm', ['run', 'build'], { cwd: resolve(__dirname, '../..') });
    const dir = tempDir('brine-e2e-keys-');
    for (const name of ['dev1', 'dev2', 'mallory'] as const) {
      const { key, pub } = await makeDev(dir, name);
      keys[name] = { path: key, pub };
    }
    local = tempDir('brine-e2e-project-');
    await host.rsync(BUNDLE, '/root/brine.js');
    await host.rsync(resolve(__dirname, '../../bench/count-spawns.cjs'), '/root/count-spawns.cjs');
    await project({ deploy_keys: [keys.dev1.pub, keys.dev2.pub], mallory_locked: false });
  }, 120_000);

  afterAll(() => {
    console.log(`accounts e2e timings (ms): ${JSON.stringify(timings)}`);
  });

  it('--test on a fresh host lists each change, exits 2 and leaves the host as it was', async () => {
    const before = await host.fingerprint();
    const { code, report, byId, spawns } = await brine('test-fresh', '--test');
    const after = await host.fingerprint();
    const diff = diffFingerprints(before, after);
    expect(isEmptyDiff(diff), formatDiff(diff)).toBe(true);
    expect(code).toBe(2);
    expect(report.states.every((s) => s.result === 'pending')).toBe(true);
    const summaries = (id: string) => byId[id].changes.map((c) => c.summary);
    expect(summaries('ops')).toEqual(['create group ops (gid 2500)']);
    // What waits for an earlier pending state says so, and is planned against what it will do.
    expect(summaries('deploy')).toEqual(['create user deploy (uid 2501, group deploy (new), home /home/deploy, groups ops)']);
    expect(byId.deploy.comment).toBe('depends on ops (pending); optional groups not present: docker');
    expect(summaries('deploy-keys')).toEqual(['create /home/deploy/.ssh (mode 0700)', 'create /home/deploy/.ssh/authorized_keys (+2 keys)']);
    expect(byId['deploy-keys'].changes[1].diff).toContain(`+${keys.dev2.pub}`);
    expect(byId['deploy-keys'].comment).toBe('depends on deploy (pending)');
    expect(summaries('mallory-keys')).toEqual(['create /home/mallory/.ssh (mode 0700)', 'create /home/mallory/.ssh/authorized_keys (+1 key)']);
    expect(summaries('mallory')).toEqual(['create user mallory (group mallory (new), home /home/mallory)']);
    expect(summaries('forwarding')).toEqual(['create /etc/sysctl.d/99-brine.conf: net.ipv4.ip_forward = 1', 'net.ipv4.ip_forward: 0 → 1 (running)']);
    expect(summaries('backlog')[1]).toMatch(/^net\.core\.somaxconn: \d+ → 1024 \(running\)$/);
    // Planning reads files only; the lockout check asks sshd -T twice: as configured now, and
    // with the run's passwd and group in place.
    expect(spawns).toBe(2);
  }, 120_000);

  it('apply converges the tree from a fresh host', async () => {
    const { code, report, spawns, stderr } = await brine('apply-fresh');
    expect(code, JSON.stringify(report.states.filter((s) => s.result === 'failed'), null, 1) + stderr).toBe(0);
    expect(report.states.map((s) => s.result)).toEqual(Array(7).fill('changed'));
    const out = await host.sshOk([
      'sh',
      '-c',
      'getent passwd deploy mallory; id -nG deploy; stat -c "%n %a %U:%G" /home/deploy/.ssh /home/deploy/.ssh/authorized_keys; ' +
        'sysctl -n net.ipv4.ip_forward net.core.somaxconn; cat /etc/sysctl.d/99-brine.conf',
    ]);
    expect(out).toContain('deploy:x:2501:');
    expect(out).toContain(':Deploy Bot:/home/deploy:/bin/bash\n');
    expect(out).toMatch(/^deploy ops$/m);
    expect(out).toContain('/home/deploy/.ssh 700 deploy:deploy\n/home/deploy/.ssh/authorized_keys 600 deploy:deploy\n1\n1024\n');
    expect(out).toContain('net.ipv4.ip_forward = 1\nnet.core.somaxconn = 1024\n');
    console.log(`apply on a fresh host started ${spawns} processes`);
  }, 120_000);

  it('a second apply and a --test after it change nothing and start no process', async () => {
    const again = await brine('apply-noop');
    expect(again.code).toBe(0);
    expect(again.report.summary).toMatchObject({ changed: 0, failed: 0 });
    expect(again.spawns).toBe(0);
    const before = await host.fingerprint();
    const test = await brine('test-noop', '--test');
    expect(isEmptyDiff(diffFingerprints(before, await host.fingerprint()))).toBe(true);
    expect(test.code).toBe(0);
    expect(test.spawns).toBe(0);
  }, 120_000);

  it('both keys log in; removing one from the managed set locks that developer out', async () => {
    expect(await login('deploy', keys.dev1.path)).toBe(0);
    expect(await login('deploy', keys.dev2.path)).toBe(0);
    await project({ deploy_keys: [keys.dev1.pub], mallory_locked: false });
    const { code, byId } = await brine('apply-revoke');
    expect(code).toBe(0);
    expect(byId['deploy-keys'].changes.map((c) => c.summary)).toEqual(['update /home/deploy/.ssh/authorized_keys (-1 key)']);
    expect(byId['deploy-keys'].changes[0].diff).toContain(`-${keys.dev2.pub}`);
    expect(await host.sshOk(['cat', '/home/deploy/.ssh/authorized_keys'])).toBe(`${keys.dev1.pub}\n`);
    expect(await login('deploy', keys.dev2.path)).toBe(255);
    expect(await login('deploy', keys.dev1.path)).toBe(0);
  }, 120_000);

  it('locked: true keeps a user with a valid key out; locked: false lets it back in', async () => {
    expect(await login('mallory', keys.mallory.path)).toBe(0);
    await project({ deploy_keys: [keys.dev1.pub], mallory_locked: true });
    const locked = await brine('apply-lock');
    expect(locked.code).toBe(0);
    // useradd left the password locked ('!') from the start, and the key still got in above.
    expect(locked.byId.mallory.changes.map((c) => c.summary)).toEqual(['expire account (no logins, keys included)']);
    expect(await login('mallory', keys.mallory.path)).toBe(255);
    // The key is still there: it is the account that is closed.
    expect(await host.sshOk(['cat', '/home/mallory/.ssh/authorized_keys'])).toBe(`${keys.mallory.pub}\n`);
    expect((await brine('apply-lock-again')).report.summary.changed).toBe(0);

    await project({ deploy_keys: [keys.dev1.pub], mallory_locked: false });
    const unlocked = await brine('apply-unlock');
    expect(unlocked.byId.mallory.changes.map((c) => c.summary)).toEqual(['clear account expiry']);
    expect(await login('mallory', keys.mallory.path)).toBe(0);
  }, 120_000);
});
