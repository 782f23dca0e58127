// Host keys the whole team can trust, on one real host: first contact refused with the remedy,
// --accept-new writes pillar/staging/known_hosts, a teammate with an empty known_hosts then just
// runs; sshd hardening that drops key types is recorded; a rebuilt server's new key is refused
// (old and new fingerprints, nothing done); host_keys: in env.yaml, wrong and right.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { diffFingerprints, formatDiff, isEmptyDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { fingerprint } from '../../src/provision/host-keys/known-hosts.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';
import { brine } from './provision-support.js';

const HELLO = (text: string) => `/root/hello:\n  file.managed:\n    contents: ${text}\n`;
// What the stack's sshd hardening may do: offer the ED25519 key only.
const HARDEN = `/etc/ssh/sshd_config.d/10-host-keys.conf:
  file.managed:
    contents: HostKey /etc/ssh/ssh_host_ed25519_key
ssh:
  service.running:
    reload: true
    watch:
      - file: /etc/ssh/sshd_config.d/10-host-keys.conf
`;

describeHosts('host keys the whole team can trust', () => {
  const env = useHosts(1, { flavour: 'full' });

  it('first contact, the team file, hardening, a rebuilt server, and host_keys: in env.yaml', async () => {
    const [h] = env.hosts;
    const users = tempDir('brine-users-');
    const dir = makeProject({
      'states/top.yaml': "base:\n  '*': [app]\n",
      'states/app.yaml': HELLO('one'),
      'pillar/top.yaml': 'base: {}\n',
      'pillar/staging/env.yaml': `environment: staging\nhosts:\n  - address: ${h.address}\n`,
    });
    const project = join(dir, 'pillar/staging/known_hosts');
    const knownHostsOf = (user: string) => {
      const file = join(users, `${user}_known_hosts`);
      writeFileSync(file, '');
      return file;
    };
    // Each user's own (empty) known_hosts replaces the harness's, where the host's keys are pinned.
    const provision = (knownHosts: string, ...more: string[]) =>
      brine(['provision', 'staging', '-u', 'root', '-F', h.sshConfigFile, '-o', `UserKnownHostsFile=${knownHosts}`, '--dir', dir, ...more]);
    const fps = () => h.hostKeys().map((k) => fingerprint(k.split(' ')[1]));
    const edFp = () => fingerprint(h.hostKeys().find((k) => k.startsWith('ssh-ed25519 '))!.split(' ')[1]);
    expect(fps()).toHaveLength(3); // ED25519, ECDSA, RSA, as a fresh Debian server

    // 1. An empty known_hosts and no project file: exit 1, the fingerprints and what to do; nothing done.
    const alice = knownHostsOf('alice');
    const refused = await provision(alice);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain(`${h.address}: host key unknown (first contact?): verify the fingerprints below, then run \`brine provision staging --accept-new\``);
    for (const fp of fps()) expect(refused.stdout).toContain(fp);
    expect(existsSync(project)).toBe(false);
    expect((await h.ssh(['test', '-e', '/var/lib/brine'])).exitCode).toBe(1); // not even bootstrapped

    // 2. --accept-new: runs, prints the fingerprints, records every key for the team (not in alice's file).
    const accepted = await provision(alice, '--accept-new');
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain(`${h.address}: new host, trusted on first use (--accept-new); its keys are now recorded in pillar/staging/known_hosts:`);
    for (const fp of fps()) expect(accepted.stdout).toMatch(new RegExp(`\\+ \\w+ +${fp.replace(/[+/]/g, '\\$&')}`));
    expect(readFileSync(project, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).sort()).toEqual(h.hostKeys().map((k) => `${h.address} ${k}`).sort());
    expect(readFileSync(alice, 'utf8')).toBe('');
    expect(await h.sshOk(['cat', '/root/hello'])).toBe('one\n');

    // 3. A teammate with an empty known_hosts: no flag, no question.
    const bob = knownHostsOf('bob');
    const teammate = await provision(bob);
    expect(teammate.code, teammate.stdout + teammate.stderr).toBe(0);
    expect(teammate.stdout).toMatch(/changed=0 failed=0/);

    // 4. sshd hardening drops ECDSA and RSA: after the run the file holds what the host offers now.
    writeFileSync(join(dir, 'states/app.yaml'), HELLO('one') + HARDEN);
    const hardened = await provision(bob);
    expect(hardened.code, hardened.stdout + hardened.stderr).toBe(0);
    expect(hardened.stdout).toContain('the host offers other SSH host keys after the run; updated pillar/staging/known_hosts:');
    expect(hardened.stdout).toMatch(/- ECDSA +SHA256:/);
    const offered = h.hostKeys().filter((k) => k.startsWith('ssh-ed25519 '));
    expect(readFileSync(project, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(offered.map((k) => `${h.address} ${k}`));
    const carol = await provision(knownHostsOf('carol'));
    expect(carol.code, carol.stdout + carol.stderr).toBe(0);

    // 5. The server is rebuilt on the same address (new keys): refused with old and new
    // fingerprints and the line to remove, even with --accept-new; nothing done on the host.
    writeFileSync(join(dir, 'states/app.yaml'), HELLO('two') + HARDEN);
    const oldFp = edFp();
    await h.rekey();
    const newFp = edFp();
    expect(newFp).not.toBe(oldFp);
    const recorded = readFileSync(project, 'utf8');
    const before = await h.fingerprint();
    for (const flags of [[], ['--accept-new']]) {
      const changed = await provision(bob, ...flags);
      expect(changed.code, changed.stdout + changed.stderr).toBe(1);
      expect(changed.stdout).toContain(`${h.address}: host key CHANGED (ED25519 ${oldFp} is now ${newFp}): nothing was done`);
      expect(changed.stdout).toMatch(/pillar\/staging\/known_hosts: line 3 \(ssh-keygen -R '10\.231\.\d+\.2' -f '.*\/pillar\/staging\/known_hosts'\)/);
    }
    expect(readFileSync(project, 'utf8')).toBe(recorded);

    // 6. host_keys: in env.yaml (as a console prints them) instead of known_hosts: wrong refused, right accepted.
    const pinned = (fp: string) => writeFileSync(join(dir, 'pillar/staging/env.yaml'), `environment: staging\nhosts:\n  - address: ${h.address}\n    host_keys: ["256 ${fp} root@${h.name} (ED25519)"]\n`);
    pinned(oldFp);
    const wrong = await provision(knownHostsOf('dave'));
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stdout).toContain(`${h.address}: host key does not match host_keys: in pillar/staging/env.yaml (${oldFp}): nothing was done`);
    expect(wrong.stdout).toContain(newFp);
    // Neither the changed key nor the wrong pin let anything run.
    const diff = diffFingerprints(before, await h.fingerprint());
    expect(isEmptyDiff(diff), formatDiff(diff)).toBe(true);
    pinned(newFp);
    const right = await provision(knownHostsOf('dave'));
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(await h.sshOk(['cat', '/root/hello'])).toBe('two\n');
    expect(readFileSync(project, 'utf8')).toBe(recorded); // host_keys: is the record for this host
  });
});
