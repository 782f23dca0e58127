// A first provision killed (kill -9) during its upload leaves the upload, with the pillar and its
// secrets, on the host and a staging copy on the controller. The next provision removes both and
// says so: afterwards no secret is left under /var/lib/brine or in the controller's temp dir.
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BUNDLE } from '../cli/support.js';
import { allPids, childrenOf, cmdline } from '../harness/proc.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { devKey, testProject } from './provision-support.js';

const SECRET = 'intr-db-9d3c1f7e55';

/** Files below dir (recursively) whose bytes hold the secret. */
function holding(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((p) => {
      try {
        return statSync(p).isFile() && readFileSync(p, 'utf8').includes(SECRET);
      } catch {
        return false;
      }
    });
}

describeHosts('brine provision killed during its upload', () => {
  const env = useHosts(1, { flavour: 'bare' });

  it('the next provision removes the orphaned upload on the host and the staging copy here, and says so', async () => {
    const [h] = env.hosts;
    const dev = await devKey();
    const dir = testProject({ staging: [h.address], devPub: dev.pub, stagingSecret: SECRET, prodSecret: 'prod-x-0000000000' });
    // The controller's own temp dir and var dir, so what it leaves is ours to inspect (the temp
    // dir short: ssh's control sockets live in it, and a socket's path has at most 108 bytes).
    const tmp = mkdtempSync('/tmp/bct-');
    const varDir = mkdtempSync(join(tmpdir(), 'brine-ctl-var-'));
    // rsync that finishes the upload, then hangs: the controller is killed right after it.
    const bin = mkdtempSync(join(tmpdir(), 'brine-ctl-bin-'));
    const mark = join(tmp, 'uploaded');
    const realRsync = (await execa('sh', ['-c', 'command -v rsync'])).stdout.trim();
    writeFileSync(join(bin, 'rsync'), `#!/bin/sh\n"${realRsync}" "$@"; s=$?\n: >"${mark}"\nsleep 120\nexit $s\n`);
    chmodSync(join(bin, 'rsync'), 0o755);
    const args = [BUNDLE, 'provision', 'staging', '-u', 'root', '-F', h.sshConfigFile, '--dir', dir];
    const controllerEnv = { NO_COLOR: '1', TMPDIR: tmp, BRINE_VAR_DIR: varDir };

    try {
      await interruptedThenClean();
    } finally {
      // ssh control masters the killed controller left behind (they hold a socket in its temp dir).
      for (const pid of allPids()) if (cmdline(pid)?.some((a) => a.includes(tmp))) process.kill(pid, 'SIGKILL');
      for (const d of [tmp, varDir, bin]) rmSync(d, { recursive: true, force: true });
    }

    async function interruptedThenClean(): Promise<void> {
      const first = execa('node', args, { reject: false, env: { ...controllerEnv, PATH: `${bin}:${process.env.PATH}` } });
      let ended = false;
      void first.then(() => (ended = true));
      const deadline = Date.now() + 120_000;
      while (!existsSync(mark) && !ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(mark)) {
        first.kill('SIGKILL');
        const r = await first;
        expect.fail(`the upload never finished:\n${r.stdout}\n${r.stderr}`);
      }
      const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
      const family = [first.pid!, ...descendants(first.pid!)];
      for (const pid of family) process.kill(pid, 'SIGKILL');
      await first;

      // What the kill left: the upload with the pillar on the host, the staging copy here (0700/0600).
      const onHost = await h.sshOk(['sh', '-c', 'grep -rlF -f - /var/lib/brine || true'], { input: `${SECRET}\n` });
      expect(onHost).toMatch(/^\/var\/lib\/brine\/run\/[^/]+\/pillar\/staging\/secrets\.yaml$/m);
      const staged = holding(tmp);
      expect(staged).toHaveLength(1);
      expect(statSync(staged[0]).mode & 0o777).toBe(0o600);
      const stagingDir = join(tmp, readdirSync(tmp).find((n) => n.startsWith('brine-upload-'))!);
      expect(statSync(stagingDir).mode & 0o777).toBe(0o700);

      const second = await execa('node', args, { reject: false, env: controllerEnv });
      expect(second.exitCode, `${second.stdout}\n${second.stderr}`).toBe(0);
      expect(String(second.stdout)).toMatch(/removed the upload of an interrupted provision \(\d{8}T\d{6}-[0-9a-f]{6}\), with its pillar/);
      expect(String(second.stderr)).toMatch(/removed \d+ temporary director(y|ies) an interrupted provision left: .*brine-upload-/);

      // Nothing holding the secret is left of either run, on the host or here.
      expect(await h.sshOk(['sh', '-c', 'grep -rlF -f - /var/lib/brine || true'], { input: `${SECRET}\n` })).toBe('');
      expect(holding(tmp)).toEqual([]);
      expect(readdirSync(tmp).filter((n) => n.startsWith('brine-upload-'))).toEqual([]);
      expect(readdirSync(join(varDir, 'uploads'))).toEqual([]);
      // The app got its secret.
      expect(await h.sshOk(['cat', '/srv/app/config.ini'])).toContain(`db_password = ${SECRET}`);
    }
  });
});
