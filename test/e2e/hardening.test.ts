// The shipped stack, hardened, on a fresh server of each supported Debian release, checked the
// way an auditor would: ssh-audit and testssl.sh from outside, lynis on the host, fail2ban by
// failing logins — and the app still serves, developers still log in, a re-run changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bareOf } from '../harness/flavours.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { lynis, sshAudit, testssl } from './audit-support.js';
import { StackProject, curl, logsIn, makeDev, type Dev } from './stack-support.js';

for (const release of ['12', '13']) {
  describeHosts(`the hardened stack on Debian ${release}`, () => {
    const env = useHosts(1, { flavour: bareOf(release) });
    let keys: string;
    let p: StackProject;
    let ann: Dev; // admin
    let bo: Dev; // developer without sudo

    beforeAll(async () => {
      keys = mkdtempSync(join(tmpdir(), 'brine-harden-keys-'));
      [ann, bo] = await Promise.all(['ann', 'bo'].map((n) => makeDev(keys, n)));
      const h = env.hosts[0];
      p = new StackProject(h);
      p.devs([{ dev: ann, sudo: true }, { dev: bo, sudo: false }]);
      // This machine reaches the host from the bridge's address: the admin's address here.
      p.write('pillar/staging/env.yaml', `environment: staging\ndomain: staging.brine.test\nhosts: []\nfirewall:\n  admin_from: [${h.slot.gatewayAddress}]\n`);
      p.write('pillar/staging/secrets.yaml', 'SECRET_KEY: not-a-real-secret\n');
    });
    afterAll(() => {
      p?.cleanup();
      if (keys) rmSync(keys, { recursive: true, force: true });
    });

    it('converges a fresh server, then changes nothing; the app answers over HTTPS and developers log in', async () => {
      const h = env.hosts[0];
      await h.sshOk(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', 'nodejs', 'rsync']);
      const first = await p.brine();
      expect(first.exitCode, first.stdout + first.stderr).toBe(0);
      p.admin = ann;
      const second = await p.brine();
      expect(second.exitCode, second.stdout).toBe(0);
      expect(second.stdout).toMatch(/Succeeded: \d+ \(changed=0\)\s+Failed: 0/);
      console.log(`Debian ${release}: first provision ${first.ms} ms, second ${second.ms} ms (changed=0)`);
      // What a container cannot take is said, not failed.
      expect(first.stdout).toMatch(/read-only on this host \(a container shares its host's kernel settings\), left as they are: kernel\./);
      // auditd's package enables it; its state then says so, or (Salt's unless semantics) is
      // skipped because service-on finds it enabled already — never failed.
      expect(first.stdout).toMatch(/auditd cannot run in this container \(systemd-nspawn\): enabled, it starts on a real host|ok {7}auditd-on \(cmd\.run\) {2}unless condition is true/);

      expect(JSON.parse((await curl(`https://${h.address}/healthz`)).body)).toEqual({ ok: true });
      const headers = (await curl(`https://${h.address}/`, ['-D', '-', '-o', '/dev/null'])).body.toLowerCase();
      for (const line of ['server: nginx\r\n', 'x-content-type-options: nosniff', 'x-frame-options: deny']) expect(headers).toContain(line);
      expect(headers).not.toContain('strict-transport-security'); // a self-signed certificate
      expect(await logsIn(p, bo)).toBe(true);
      expect((await p.as(ann, ['sudo', '-n', 'true'])).exitCode).toBe(0);
      expect((await p.root(['ls', '/etc/ssh'])).stdout).not.toContain('ecdsa');

      // The drop-in's validator refuses a configuration no admin could log in with: here the only
      // member of sshadmins holds just an ECDSA key, which the hardened algorithms refuse.
      await execa('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-C', 'eve@brine-e2e', '-f', join(keys, 'eve')]);
      const evePub = (await execa('cat', [join(keys, 'eve.pub')])).stdout;
      const setup = 'useradd -m -G sshadmins eve && install -d -o eve -m 700 /home/eve/.ssh && printf "%s\\n" "$1" > /home/eve/.ssh/authorized_keys && gpasswd -d ann sshadmins >/dev/null';
      expect((await p.root(['sh', '-c', setup, 'sh', evePub])).exitCode).toBe(0);
      try {
        const check = await p.root(['/usr/local/lib/brine/sshd-check']);
        expect(check.exitCode).toBe(1);
        expect(check.stderr).toContain('lockout guard: no member of sshadmins (eve) has a key this configuration accepts');
      } finally {
        await p.root(['sh', '-c', 'gpasswd -a ann sshadmins >/dev/null; userdel -r eve']);
      }
      expect((await p.root(['/usr/local/lib/brine/sshd-check'])).exitCode).toBe(0);
    }, 600_000);

    it('passes ssh-audit, testssl.sh and lynis', async () => {
      const h = env.hosts[0];
      // The controller-side scans and lynis on the host run side by side.
      const [ssh, tls, audit] = await Promise.all([sshAudit(h.address), testssl(h.address), lynis(p)]);
      console.log(
        `Debian ${release}: ssh-audit ${ssh.fails.length} [fail], ${ssh.warns} [warn]; testssl ${tls.findings.length} findings above INFO; ` +
          `lynis hardening index ${audit.index} (${audit.tests} tests); points withheld: ${JSON.stringify(audit.lost)}`,
      );
      expect(ssh.fails, ssh.output).toEqual([]);
      expect(tls.findings).toEqual([]);
      expect(tls.protocols).toMatchObject({ SSLv2: 'not offered', SSLv3: 'not offered', TLS1: 'not offered', TLS1_1: 'not offered', TLS1_2: 'offered' });
      expect(audit.index, audit.suggestions.join('\n')).toBeGreaterThanOrEqual(80);
    }, 600_000);

    it('bans an address that keeps failing SSH logins, never one in firewall.admin_from', async () => {
      const h = env.hosts[0];
      const jails = (await p.root(['fail2ban-client', 'status'])).stdout;
      expect(jails).toMatch(/Jail list:\s+nginx-limit-req, sshd/);
      // The admin: this machine at the bridge's own address, listed in admin_from. The attacker:
      // this machine too, from a second address put on the host's bridge for this test (a
      // documentation address, one per slot). Hosts cannot reach each other (nothing is routed
      // between bridges), and fail2ban never bans the host's own addresses.
      const attacker = `198.51.100.${h.slot.index}`;
      await execa('ip', ['addr', 'add', `${attacker}/32`, 'dev', h.slot.bridge]);
      try {
        const fail = (from: string) =>
          execa('ssh', ['-F', h.sshConfigFile, '-b', from, '-o', 'ConnectTimeout=5', '-l', 'intruder', h.address, 'true'], { reject: false });
        for (let i = 0; i < 6; i++) await Promise.all([fail(attacker), fail(h.slot.gatewayAddress)]);
        const wait = 'for i in $(seq 50); do fail2ban-client status sshd | grep -q "Banned IP list:.*$1" && exit 0; sleep 0.2; done; exit 1';
        expect((await p.root(['sh', '-c', wait, 'sh', attacker])).exitCode).toBe(0);
        const status = (await p.root(['fail2ban-client', 'status', 'sshd'])).stdout;
        console.log(`Debian ${release}: fail2ban sshd: ${status.replace(/\s+/g, ' ').trim()}`);
        expect(status).toMatch(new RegExp(`Banned IP list:\\s+${attacker.replace(/\./g, '\\.')}\\s*$`, 'm'));
        expect(status).not.toContain(h.slot.gatewayAddress);
        // The ban holds for the attacker; developers from the admin's address still log in.
        expect((await fail(attacker)).stderr).toMatch(/Connection refused|timed out/);
        expect(await logsIn(p, ann)).toBe(true);
      } finally {
        await execa('ip', ['addr', 'del', `${attacker}/32`, 'dev', h.slot.bridge], { reject: false });
      }
    });
  });
}
