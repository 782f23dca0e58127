// How brine trusts host keys, against a scripted ssh: the options every connection gets, first
// contact with and without --accept-new, changed and dropped keys, host_keys: pins, and the
// project's record kept current after a run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostKeyError } from '../../src/core/errors.js';
import { fingerprint, type HostKey } from '../../src/provision/host-keys/known-hosts.js';
import { offers } from '../../src/provision/host-keys/scan.js';
import { HostTrust, withProjectFile } from '../../src/provision/host-keys/trust.js';
import type { Target } from '../../src/provision/inventory.js';
import type { Spawn } from '../../src/provision/runner.js';
import { DEFAULT_SSH_OPTIONS, sshArgv } from '../../src/provision/ssh.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';
import { EC, ED, ED_FP, fakeKey, line } from './host-key-support.js';

const RSA = fakeKey('ssh-rsa', 'rsa key');
const ED_NEW = fakeKey('ssh-ed25519', 'regenerated');

/** ssh as the controller meets it: `ssh -G`, unauthenticated probes per family, `sshd -T` on the host. */
class ScriptedSsh {
  calls: string[][] = [];
  /** sshd's HostKeyAlgorithms, as `sshd -T` prints them. */
  algorithms = 'ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256';
  constructor(
    public offered: HostKey[],
    readonly userFile: string,
  ) {}

  spawn: Spawn = async (argv, opts = {}) => {
    this.calls.push(argv);
    const opt = (name: string) => argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
    if (argv[1] === '-G') return { argv, exitCode: 0, stdout: `hostname ${argv.at(-1)}\nport 22\nuserknownhostsfile ${this.userFile}\n`, stderr: '' };
    if (opt('StrictHostKeyChecking') === 'accept-new') {
      const families = opt('HostKeyAlgorithms')!.split(',');
      const key = this.offered.find((k) => families.some((f) => f === k.type || (k.type === 'ssh-rsa' && f.startsWith('rsa-'))));
      if (key) writeFileSync(opt('UserKnownHostsFile')!.replace(/^"|"$/g, ''), line(argv[argv.indexOf('--') + 1], key));
      return { argv, exitCode: 255, stdout: '', stderr: key ? 'Permission denied (publickey).\n' : 'no matching host key type found\n' };
    }
    if (opts.input?.includes('"$sshd" -T')) {
      const pubs = this.offered.map((k) => `${k.type} ${k.blob} root@web1\n`).join('');
      return { argv, exitCode: 0, stdout: `${pubs}@algorithms ${this.algorithms}\n`, stderr: '' };
    }
    return { argv, exitCode: 0, stdout: '', stderr: '' };
  };
}

/** Every HostTrust made, closed after each test (its probes' and pins' scratch files). */
const trusts: HostTrust[] = [];
afterEach(() => trusts.splice(0).forEach((t) => t.close()));

function setup(o: { offered: HostKey[]; user?: string; project?: string; acceptNew?: boolean }) {
  const dir = makeProject({ 'pillar/staging/env.yaml': 'hosts: [10.0.0.5]\n', ...(o.project ? { 'pillar/staging/known_hosts': o.project } : {}) });
  const userFile = join(tempDir('brine-user-'), 'known_hosts');
  writeFileSync(userFile, o.user ?? '');
  const ssh = new ScriptedSsh(o.offered, userFile);
  const trust = new HostTrust({ dir, env: 'staging', acceptNew: o.acceptNew ?? false, spawn: ssh.spawn });
  trusts.push(trust);
  const project = join(dir, 'pillar/staging/known_hosts');
  return { dir, ssh, trust, project, userFile, read: () => (existsSync(project) ? readFileSync(project, 'utf8') : null) };
}

const host: Target = { address: '10.0.0.5', id: '10.0.0.5', roles: [] };
const refused = new HostKeyError('10.0.0.5', 'Host key verification failed.', 'No ED25519 host key is known for 10.0.0.5\nHost key verification failed.\n');

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostKeyError);
  return (err as Error).message;
}

describe('ssh options for host keys', () => {
  it("adds the project's file to ssh's global known_hosts (the user's own files stay as they are) and checks strictly", async () => {
    const { trust, project } = setup({ offered: [ED] });
    const s = await trust.settingsFor(host, { options: ['Port=2222'] });
    expect(s.options).toEqual(['Port=2222', `GlobalKnownHostsFile="${project}" "/etc/ssh/ssh_known_hosts" "/etc/ssh/ssh_known_hosts2"`]);
    const argv = sshArgv(s, host.address, 'root', ['true']);
    expect(argv).toContain('StrictHostKeyChecking=yes');
    expect(argv.join(' ')).not.toMatch(/UserKnownHostsFile/);
    expect(DEFAULT_SSH_OPTIONS).toContain('StrictHostKeyChecking=yes');
    // A user's own -o GlobalKnownHostsFile is kept, after the project's file, not duplicated.
    expect(withProjectFile(['GlobalKnownHostsFile /etc/corp_hosts'], '/p/k h')).toEqual(['GlobalKnownHostsFile="/p/k h" /etc/corp_hosts']);
    expect(withProjectFile([], '/p/100%')[0]).toBe('GlobalKnownHostsFile="/p/100%" "/etc/ssh/ssh_known_hosts" "/etc/ssh/ssh_known_hosts2"'); // not %-expanded there
  });
});

describe('first contact', () => {
  it('without --accept-new: exit with what the server offers and the two ways to trust it; no file written', async () => {
    const { trust, read } = setup({ offered: [ED, EC, RSA] });
    const s = await trust.settingsFor(host, { options: [] });
    const msg = await refusal(trust.onRefused(host, s, refused));
    expect(msg.split('\n')[0]).toBe('10.0.0.5: host key unknown (first contact?): verify the fingerprints below, then run `brine provision staging --accept-new` or add them as host_keys: in pillar/staging/env.yaml');
    for (const k of [ED, EC, RSA]) expect(msg).toContain(fingerprint(k.blob));
    expect(read()).toBeNull();
  });

  it('with --accept-new: records every key the server offers in pillar/<env>/known_hosts, one write at a time', async () => {
    const { trust, read, ssh } = setup({ offered: [ED, EC, RSA], acceptNew: true });
    const s = await trust.settingsFor(host, { options: ['User=x'] });
    const other: Target = { address: '10.0.0.6', id: '10.0.0.6', roles: [] };
    const [a, b] = await Promise.all([trust.onRefused(host, s, refused), trust.onRefused(other, await trust.settingsFor(other, { options: ['User=x'] }), refused)]);
    expect(a).toEqual({ file: 'pillar/staging/known_hosts', reason: 'accepted', removed: [], added: [ED, EC, RSA].map((k) => ({ type: expect.any(String), fingerprint: fingerprint(k.blob) })) });
    expect(a.added.map((k) => k.type)).toEqual(['ED25519', 'ECDSA', 'RSA']);
    expect(b.added).toHaveLength(3);
    const text = read()!;
    for (const name of ['10.0.0.5', '10.0.0.6']) for (const k of [ED, EC, RSA]) expect(text).toContain(line(name, k));
    // The probes never authenticate, never share a connection, and write only their own scratch file.
    const probes = ssh.calls.filter((c) => c.includes('StrictHostKeyChecking=accept-new'));
    expect(probes).toHaveLength(6);
    for (const p of probes) {
      expect(p).toEqual(expect.arrayContaining(['PreferredAuthentications=none', 'ControlPath=none', 'GlobalKnownHostsFile=/dev/null']));
      expect(p.indexOf('PreferredAuthentications=none')).toBeLessThan(p.indexOf('User=x')); // ours first: ssh keeps the first value
    }
    trust.close();
    const scratch = probes[0].find((a) => a.startsWith('UserKnownHostsFile='))!.slice('UserKnownHostsFile="'.length, -1);
    expect(existsSync(scratch)).toBe(false);
  });

  it('--accept-new never overrides a changed key: old and new fingerprints, file and line, nothing written', async () => {
    const { trust, read, userFile } = setup({ offered: [ED_NEW, EC], user: `# mine\n${line('10.0.0.5', ED)}`, acceptNew: true });
    const s = await trust.settingsFor(host, { options: [] });
    const msg = await refusal(trust.onRefused(host, s, refused));
    expect(msg.split('\n')[0]).toBe(`10.0.0.5: host key CHANGED (ED25519 ${ED_FP} is now ${fingerprint(ED_NEW.blob)}): nothing was done; see below before trusting it`);
    expect(msg).toContain(`line 2 (ssh-keygen -R '10.0.0.5' -f '${userFile}')`);
    expect(read()).toBeNull();
  });

  it('--accept-new refuses a host whose recorded key type the server no longer offers', async () => {
    const { trust, read } = setup({ offered: [ED_NEW], project: line('10.0.0.5', EC), acceptNew: true });
    const before = read();
    const msg = await refusal(trust.onRefused(host, await trust.settingsFor(host, { options: [] }), refused));
    expect(msg).toMatch(/^10\.0\.0\.5: the server no longer offers the host key type recorded for it \(ECDSA in pillar\/staging\/known_hosts:1\)/);
    expect(read()).toBe(before);
  });

  it('an unreachable server is said so, with ssh’s words', async () => {
    const { trust } = setup({ offered: [] });
    const msg = await refusal(trust.onRefused(host, await trust.settingsFor(host, { options: [] }), refused));
    expect(msg).toContain('could not read the keys the server offers (no matching host key type found)');
  });
});

describe('host_keys: in env.yaml', () => {
  it('trusts only a key matching a listed fingerprint, pinned, with the user’s files out of the way', async () => {
    const { trust } = setup({ offered: [ED, EC] });
    const s = await trust.settingsFor({ ...host, hostKeys: [ED_FP] }, { options: ['UserKnownHostsFile=/mine'] });
    expect(s.options.slice(1)).toEqual(['GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes', 'HostKeyAlias=10.0.0.5', 'UserKnownHostsFile=/mine']);
    const pinned = s.options[0].slice('UserKnownHostsFile="'.length, -1);
    expect(readFileSync(pinned, 'utf8')).toBe(line('10.0.0.5', ED));
    trust.close();
    expect(existsSync(pinned)).toBe(false);
  });

  it('refuses a server none of whose keys matches, showing what it offers', async () => {
    const { trust } = setup({ offered: [ED_NEW] });
    const msg = await refusal(trust.settingsFor({ ...host, hostKeys: [ED_FP] }, { options: [] }));
    expect(msg.split('\n')[0]).toBe(`10.0.0.5: host key does not match host_keys: in pillar/staging/env.yaml (${ED_FP}): nothing was done`);
    expect(msg).toContain(fingerprint(ED_NEW.blob));
  });
});

describe('after a run', () => {
  const run = { changed: true, test: false };

  it('records the keys the host offers now (read over the verified connection) in place of its old lines', async () => {
    const project = `# team\n${line('10.0.0.5', ED)}${line('10.0.0.5', EC)}${line('10.0.0.5', RSA)}${line('10.0.0.6', EC)}`;
    const { trust, read, ssh } = setup({ offered: [ED], project });
    const s = await trust.settingsFor(host, { options: [], controlDir: '/tmp/ctl' });
    const r = await trust.afterRun(host, s, run);
    expect(r).toEqual({ file: 'pillar/staging/known_hosts', reason: 'updated', added: [], removed: [{ type: 'ECDSA', fingerprint: fingerprint(EC.blob) }, { type: 'RSA', fingerprint: fingerprint(RSA.blob) }] });
    expect(read()).toBe(`# team\n${line('10.0.0.6', EC)}${line('10.0.0.5', ED)}`);
    // Read as root over the shared, verified connection.
    const scan = ssh.calls.at(-1)!;
    expect(scan).toContain('ControlPath=/tmp/ctl/%C');
    expect(scan.at(-1)).toMatch(/sudo -n .* brine sh -s$/);
  });

  it("leaves out keys sshd's HostKeyAlgorithms no longer let it offer", async () => {
    const { trust, read, ssh } = setup({ offered: [ED, EC, RSA], project: line('10.0.0.5', ED) + line('10.0.0.5', EC) + line('10.0.0.5', RSA) });
    ssh.algorithms = 'ssh-ed25519,rsa-sha2-512';
    const r = await trust.afterRun(host, { options: [] }, run);
    expect(r?.removed.map((k) => k.type)).toEqual(['ECDSA']);
    expect(read()).toBe(line('10.0.0.5', ED) + line('10.0.0.5', RSA));
    expect(offers(['ssh-rsa'], 'ssh-rsa')).toBe(true);
    expect(offers(['ssh-ed25519-cert-v01@openssh.com'], 'ssh-ed25519')).toBe(false);
  });

  it('leaves the file alone when nothing changed, in --test, for hosts pinned by host_keys:, and for hosts it does not record', async () => {
    const project = line('10.0.0.5', ED) + line('10.0.0.5', EC);
    const cases: [Target, { changed: boolean; test: boolean }][] = [
      [host, { changed: false, test: false }],
      [host, { changed: true, test: true }],
      [{ ...host, hostKeys: [ED_FP] }, run],
      [{ ...host, address: '10.0.0.7' }, run],
    ];
    const { trust, ssh } = setup({ offered: [ED], project });
    expect(await trust.afterRun(host, { options: ['StrictHostKeyChecking=no'] }, run)).toBeUndefined(); // your -o: nothing verified
    expect(ssh.calls).toEqual([]);
    for (const [t, r] of cases) {
      const { trust, read, ssh } = setup({ offered: [ED], project });
      expect(await trust.afterRun(t, { options: [] }, r)).toBeUndefined();
      expect(read()).toBe(project);
      expect(ssh.calls.filter((c) => c.at(-1)!.endsWith(' brine sh -s'))).toEqual([]); // the host was not asked
    }
  });

  it('with --accept-new, a host known only from your own known_hosts is recorded for the team', async () => {
    const { trust, read } = setup({ offered: [ED, EC], acceptNew: true });
    const r = await trust.afterRun(host, { options: [] }, { changed: false, test: true });
    expect(r).toMatchObject({ reason: 'recorded', removed: [] });
    expect(read()).toContain(line('10.0.0.5', ED) + line('10.0.0.5', EC));
  });

  it('says so when the keys could not be read, instead of failing the host', async () => {
    const { trust, ssh } = setup({ offered: [], project: line('10.0.0.5', ED) });
    ssh.offered = [];
    const r = await trust.afterRun(host, { options: [] }, run);
    expect(r).toMatchObject({ reason: 'not-checked', note: expect.stringContaining('pillar/staging/known_hosts is out of date') });
  });
});
