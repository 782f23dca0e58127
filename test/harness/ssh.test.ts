import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp.js';
import { pinHostKeys, remoteCommand, rsyncArgv, shellQuote, sshArgv, sshConfigText } from './ssh.js';
import { mmdebstrapArgs, rootfsKey } from './rootfs.js';
import { nspawnArgv } from './container.js';
import { bare, bareOf, bareTrixie, defineFlavour, full, fullTrixie } from './flavours.js';

describe('ssh helpers', () => {
  it('quotes argv for the remote shell so word boundaries survive', () => {
    expect(shellQuote('plain-arg_1.txt')).toBe('plain-arg_1.txt');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(remoteCommand(['printf', '%s', 'a b'])).toBe("printf %s 'a b'");
    expect(remoteCommand('echo $HOME')).toBe('echo $HOME');
  });

  it('builds ssh and rsync argv around the run ssh_config', () => {
    expect(sshArgv('/r/ssh_config', 'th3', ['true'], { user: 'alice' })).toEqual(['-F', '/r/ssh_config', '-l', 'alice', 'th3', 'true']);
    expect(() => sshArgv('/r/ssh_config', 'th3', '  ')).toThrow(/empty command/);
    expect(rsyncArgv('/r/ssh_config', 'th3', 'dir/', '/srv/x')).toEqual(['-a', '-e', 'ssh -F /r/ssh_config', 'dir/', 'th3:/srv/x']);
    expect(rsyncArgv('/r/c', 'th3', '/var/log/', 'out/', true).slice(-2)).toEqual(['th3:/var/log/', 'out/']);
  });

  it("writes one Host entry per test host with the run's known_hosts, checked strictly", () => {
    const text = sshConfigText([{ name: 'th3', address: '10.231.3.2' }], '/r/id', '/r/known_hosts');
    expect(text).toContain('Host th3 10.231.3.2\n  HostName 10.231.3.2\n  User root\n  IdentityFile /r/id\n');
    expect(text).toContain('UserKnownHostsFile /r/known_hosts');
    expect(text).toContain('StrictHostKeyChecking yes');
    expect(text).not.toMatch(/accept-new|StrictHostKeyChecking no/);
  });

  it("pins a host's keys in the run's known_hosts, replacing only that host's earlier ones", () => {
    const file = join(tempDir('brine-kh-'), 'known_hosts');
    pinHostKeys(file, '10.231.3.2', 'ssh-ed25519 AAAAold root@th3\n');
    pinHostKeys(file, '10.231.4.2', 'ssh-ed25519 AAAAother root@th4\n');
    pinHostKeys(file, '10.231.3.2', 'ssh-ed25519 AAAAnew root@th3\n\necdsa-sha2-nistp256 AAAAec root@th3\n');
    expect(readFileSync(file, 'utf8')).toBe('10.231.4.2 ssh-ed25519 AAAAother\n10.231.3.2 ssh-ed25519 AAAAnew\n10.231.3.2 ecdsa-sha2-nistp256 AAAAec\n');
    expect(() => pinHostKeys(file, '10.231.3.2', '')).toThrow(/no host keys/);
  });
});

describe('flavours', () => {
  it('extends a base flavour for later needs (the benchmark adds ansible and puppet)', () => {
    const f = defineFlavour({ name: 'bench-test', base: 'full', include: ['ansible', 'puppet'] });
    expect(f.include).toEqual([...full.include, 'ansible', 'puppet']);
    const args = mmdebstrapArgs(f, 'out.tar', ['deb http://m.example/debian bookworm main']);
    expect(args).toContain(`--include=${f.include.join(',')}`);
    expect(args.slice(-3)).toEqual(['bookworm', 'out.tar', 'deb http://m.example/debian bookworm main']);
  });

  it('builds Debian 13 images from trixie, with its own nginx, and boots every host with --timezone=off', () => {
    expect(bareOf('13')).toBe(bareTrixie);
    expect(bareOf('12')).toBe(bare);
    expect(() => bareOf('11')).toThrow(/unknown Debian release '11'/);
    const args = mmdebstrapArgs(bareTrixie, 'out.tar', ['deb http://m.example/debian trixie main']);
    expect(args.slice(-3)).toEqual(['trixie', 'out.tar', 'deb http://m.example/debian trixie main']);
    expect(bareTrixie.predownload).toContain('nginx');
    expect(bareTrixie.predownload).not.toContain('nginx-light');
    expect(bare.predownload).toContain('nginx-light');
    expect(fullTrixie.include).toContain('nginx');
    expect(rootfsKey(bareTrixie)).not.toBe(rootfsKey({ ...bareTrixie, suite: 'bookworm' }));
    expect(nspawnArgv({ name: 'th1', bridge: 'th1-br', merged: '/m', logFile: '/l' })).toContain('--timezone=off');
  });

  it('rejects package names a hook shell would interpret', () => {
    expect(() => defineFlavour({ name: 'evil', include: ['curl; rm -rf /'] })).toThrow(/bad package name/);
  });
});
