// A dropped SSH connection mid-apply: the agent on the host runs to the end and keeps its
// report; a provision started meanwhile waits for its lock, is clean, and shows what happened.
import { expect, it } from 'vitest';
import { childrenOf, cmdline } from '../harness/proc.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { brine, brineProcess, devKey, testProject } from './provision-support.js';

const SLOW = `
slow-step:
  cmd.run:
    name: [sh, -c, 'sleep 5 && touch /srv/slow-done']
    creates: /srv/slow-done
/srv/after-slow:
  file.managed:
    contents: done
    require: [cmd: slow-step]
`;

/** The controller's own ssh child that carries the agent's run (not bootstrap or upload). */
function runSshOf(controller: number): number | undefined {
  return childrenOf(controller).find((pid) => {
    const argv = cmdline(pid); // null once gone
    return argv?.[0] === 'ssh' && argv.at(-1)?.includes('apply --env');
  });
}

describeHosts('brine provision when the connection drops', () => {
  const env = useHosts(1, { flavour: 'full' });

  it('the host converges anyway; the next provision waits for the lock, is clean and shows the lost run; history has both', async () => {
    const [h] = env.hosts;
    const dev = await devKey();
    const dir = testProject({ staging: [h.address], devPub: dev.pub, stagingSecret: 'drop-db-5e8a1c0f77', prodSecret: 'prod-x-0000000000', extraStates: SLOW });
    const args = ['provision', 'staging', '-u', 'root', '-F', h.sshConfigFile, '--dir', dir];

    const first = brineProcess(args);
    let out = '';
    first.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    // Wait until the agent is inside the slow step, then kill the controller's ssh carrying it.
    const deadline = Date.now() + 60_000;
    while (!/ID: \/srv\/app\/config.ini|ok +\/srv\/app\/config.ini/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const ssh = runSshOf(first.pid!);
    expect(ssh, out).toBeDefined();
    process.kill(ssh!, 'SIGKILL');
    const r1 = await first;
    expect(r1.exitCode).toBe(1);
    expect(String(r1.stdout)).toMatch(/connection lost during the run .*the next provision shows its result/);
    expect(await h.ssh(['test', '-e', '/srv/after-slow'])).toMatchObject({ exitCode: 1 }); // still running

    // Started at once: its agent waits for the first one's lock, then finds nothing to do.
    const second = await brine(args);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/waiting up to 600 s: another brine apply holds/);
    expect(second.stdout).toMatch(/Succeeded: \d+ \(changed=0\) {2}Failed: 0/);
    expect(second.stdout).toMatch(/an earlier run \d{8}T\d{6}-[0-9a-f]{6} finished while no controller was connected: exit 0/);
    expect(second.stdout).toMatch(/Succeeded: \d+ \(changed=\d+\)/);
    expect(await h.sshOk(['cat', '/srv/after-slow'])).toBe('done\n');
    // Nothing half-done left: no upload (pillar), no report, no running unit.
    expect((await h.sshOk(['sh', '-c', 'ls -A /var/lib/brine/run /var/lib/brine/reports; systemctl list-units "brine-apply-*" --no-legend'])).replace(/\s+/g, ' ').trim()).toBe(
      '/var/lib/brine/reports: /var/lib/brine/run:',
    );

    const third = await brine(args);
    expect(third.code).toBe(0);
    expect(third.stdout).not.toContain('an earlier run');

    const hist = await brine(['history', 'staging', '-u', 'root', '-F', h.sshConfigFile, '--dir', dir]);
    const runs = hist.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(runs).toHaveLength(3);
    expect(hist.stdout).toMatch(/changed slow-step \(cmd.run\)/);
  });
});
