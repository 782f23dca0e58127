// The harness itself: hosts boot in parallel, answer over SSH (ours and the system ssh with
// the run's ssh_config), take rsync, survive a reboot, leave nothing behind, and keep off
// address slots whose bridge or veth someone else made.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { startHosts } from '../harness/index.js';
import { allocateSlots, createBridge, deleteBridge, releaseSlot } from '../harness/network.js';
import { mountsUnder } from '../harness/overlay.js';
import { ourNspawns, sweepStale } from '../harness/sweep.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { tempDir } from '../support/temp.js';

describeHosts('test hosts', () => {
  it('boots two hosts at once, runs commands on each over SSH, and tears down completely', async () => {
    const run = await startHosts(2, { flavour: 'full' });
    const { dir } = run;
    const hosts = [...run.hosts];
    const pids = hosts.map((h) => h.nspawnPid);
    try {
      expect(new Set(hosts.map((h) => h.address)).size).toBe(2);
      for (const h of hosts) {
        console.log(`${h.name} (${h.address}): SSH answered ${h.sshMs} ms, boot finished ${h.bootMs} ms after start`);
        const state = await h.ssh(['systemctl', 'is-system-running', '--wait']);
        const failed = state.stdout.trim() === 'running' ? '' : (await h.ssh(['systemctl', '--failed', '--no-legend'])).stdout;
        expect(state.stdout.trim(), `${h.name} failed units: ${failed}`).toBe('running');
        expect((await h.sshOk(['hostname'])).trim()).toBe(h.name);
        expect((await h.sshOk(['uname', '-s'])).trim()).toBe('Linux');
        // argv elements keep their boundaries on the remote side
        expect(await h.sshOk(['printf', '%s|', 'a b', "it's", '$HOME'])).toBe("a b|it's|$HOME|");
        expect((await h.sshOk('cat', { input: 'via stdin' }))).toBe('via stdin');
      }
      // The system ssh reaches hosts through the run's ssh_config (what `brine provision` uses).
      const sys = await execa('ssh', ['-F', run.sshConfigFile, hosts[1].name, 'id', '-un']);
      expect(sys.stdout.trim()).toBe('root');

      const local = tempDir('brine-rsync-');
      writeFileSync(join(local, 'hello.txt'), 'hello from the controller\n');
      await hosts[0].rsync(`${local}/`, '/srv/drop/');
      expect(await hosts[0].sshOk(['cat', '/srv/drop/hello.txt'])).toBe('hello from the controller\n');
    } finally {
      await run.teardown();
    }

    const nspawns = [...ourNspawns().keys()];
    for (const pid of pids) {
      expect(pid).toBeTypeOf('number');
      expect(nspawns).not.toContain(pid);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    }
    expect(mountsUnder(dir)).toEqual([]);
    for (const h of hosts) {
      expect(existsSync(`/sys/class/net/${h.slot.bridge}`), h.slot.bridge).toBe(false);
      expect(existsSync(h.slot.lock), h.slot.lock).toBe(false);
    }
    expect(existsSync(dir)).toBe(false);
  });
});

describeHosts('address slots', () => {
  it('refuses a slot whose bridge or veth another made, and never deletes them', async () => {
    // Two slots' interfaces made as a stranger would (no alias of ours), while we hold their
    // locks so no other run on the machine is between; then the locks are let go.
    const probes = await allocateSlots(2, 'hosts.test: stranger interfaces');
    const [bridgeSlot, vethSlot] = probes;
    const ip = (...args: string[]) => execa('ip', args);
    await ip('link', 'add', bridgeSlot.bridge, 'type', 'bridge');
    await ip('link', 'add', vethSlot.veth, 'type', 'veth', 'peer', 'name', `${vethSlot.veth}-p`);
    probes.forEach(releaseSlot);
    try {
      const taken = await allocateSlots(2, 'hosts.test: allocation');
      taken.forEach(releaseSlot);
      expect(taken.map((s) => s.index)).not.toContain(bridgeSlot.index);
      expect(taken.map((s) => s.index)).not.toContain(vethSlot.index);
      // Neither teardown's delete, nor making it, nor the sweep touches the stranger's bridge.
      await expect(createBridge(bridgeSlot)).rejects.toThrow();
      deleteBridge(bridgeSlot.bridge);
      await sweepStale();
      expect(existsSync(`/sys/class/net/${bridgeSlot.bridge}`)).toBe(true);
      expect(existsSync(`/sys/class/net/${vethSlot.veth}`)).toBe(true);
    } finally {
      await ip('link', 'del', bridgeSlot.bridge).catch(() => undefined);
      await ip('link', 'del', vethSlot.veth).catch(() => undefined);
    }
  });
});

describeHosts('a rebooted test host', () => {
  const env = useHosts(1, { flavour: 'full' });

  it('comes back with /etc changes kept and /run fresh', async () => {
    const [h] = env.hosts;
    await h.sshOk('echo kept > /etc/brine-reboot-marker && echo gone > /run/brine-reboot-marker');
    const pid = h.nspawnPid;
    await h.reboot();
    expect(h.nspawnPid).not.toBe(pid); // a fresh systemd-nspawn
    expect(await h.sshOk(['cat', '/etc/brine-reboot-marker'])).toBe('kept\n');
    expect((await h.ssh(['test', '-e', '/run/brine-reboot-marker'])).exitCode).toBe(1);
    expect((await h.sshOk(['systemctl', 'is-system-running', '--wait'])).trim()).toBe('running');
  });
});
