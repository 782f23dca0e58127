// Several hosts at once plus an address no host answers: the others converge, the dead one is
// named unreachable, exit 1; then a clean --test over all live hosts exits 0.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allocateSlots, createBridge, deleteBridge, releaseSlot, type Slot } from '../harness/network.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { brine, devKey, testProject } from './provision-support.js';

const SECRET = 'par-db-6d0c1e93ab';

describeHosts('brine provision on several hosts', () => {
  const env = useHosts(3, { flavour: 'full' });
  // A test address of our own with a bridge but no host behind it: its packets stay on this
  // machine and nothing answers (never any other address).
  let dead: Slot;
  beforeAll(async () => {
    [dead] = await allocateSlots(1, 'provision-parallel: unreachable address');
    await createBridge(dead);
  });
  afterAll(async () => {
    if (!dead) return;
    await deleteBridge(dead.bridge);
    releaseSlot(dead);
  });

  it('runs three hosts in parallel, reports the unreachable one, and does not stop the others', async () => {
    const live = env.hosts.map((h) => h.address);
    const dev = await devKey();
    const dir = testProject({ staging: [...live, dead.hostAddress], devPub: dev.pub, stagingSecret: SECRET, prodSecret: 'prod-x-0000000000' });
    const args = ['-u', 'root', '-F', env.hosts[0].sshConfigFile, '--dir', dir, '-o', 'ConnectTimeout=3'];

    const r = await brine(['provision', 'staging', ...args]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    console.log(`3 hosts + 1 unreachable, in parallel: ${r.ms} ms`);
    for (const a of live) expect(r.stdout).toMatch(new RegExp(`^ {2}${a.replace(/\./g, '\\.')} +changed `, 'm'));
    const deadRe = dead.hostAddress.replace(/\./g, '\\.');
    expect(r.stdout).toMatch(new RegExp(`^ {2}${deadRe} +unreachable +[\\d.]+ s {2}\\S`, 'm'));
    // Said once: the line names the host and the status, the reason follows ("unreachable: unreachable: …" was a bug).
    expect(r.stdout).not.toMatch(/unreachable: .*unreachable: /);
    expect(r.stdout).toMatch(new RegExp(`^${deadRe}: unreachable: ssh: `, 'm'));
    expect(r.stdout).toMatch(/Hosts: 4 {2}ok: 3 \(changed: 3\) {2}failed: 0 {2}unreachable: 1/);
    // Several hosts, not a TTY: every agent line carries its host.
    for (const a of live) expect(r.stdout).toContain(`${a} | Summary for ${a} (env staging)`);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    for (const h of env.hosts) expect(await h.sshOk(['cat', '/etc/motd'])).toBe('Welcome to shop (staging)\n');

    const again = await brine(['provision', 'staging', '--test', '-H', live.join(','), ...args]);
    expect(again.code, again.stdout).toBe(0);
    console.log(`3 hosts, --test with nothing to do: ${again.ms} ms`);
    const one = await brine(['provision', 'staging', '-H', live[0], ...args]);
    expect(one.code, one.stdout).toBe(0);
    console.log(`1 host, apply with nothing to do: ${one.ms} ms`);
  });

  it('--parallel 1 runs hosts one after another, with the same result', async () => {
    const dev = await devKey();
    const live = env.hosts.map((h) => h.address);
    const dir = testProject({ staging: live, devPub: dev.pub, stagingSecret: SECRET, prodSecret: 'prod-x-0000000000' });
    const r = await brine(['provision', 'staging', '--parallel', '1', '--json', '-u', 'root', '-F', env.hosts[0].sshConfigFile, '--dir', dir]);
    const doc = JSON.parse(r.stdout);
    expect(doc.exitCode).toBe(0);
    // One at a time: each host's progress lines come as one block on stderr.
    const order = r.stderr.split('\n').map((l) => l.split(':')[0]).filter((a) => live.includes(a));
    const blocks = order.filter((a, i) => a !== order[i - 1]);
    expect(blocks).toEqual(live);
  });
});
