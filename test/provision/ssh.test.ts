// argv for ssh and rsync: the user's -F/-i/-o pass through as given, brine's defaults follow.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SSH_OPTIONS, checkAddress, closeArgv, rsyncArgv, sshArgv, sshOptions } from '../../src/provision/ssh.js';
import { rsyncSplit } from '../../src/provision/quote.js';

const settings = { configFile: '/tmp/my config', identity: '/keys/id_ed25519', options: ['Port=2222', 'ProxyJump=bastion'] };

describe('sshArgv', () => {
  it('puts -F, -i, the user -o options, the defaults, -l, then -- ADDRESS and the one quoted command', () => {
    const argv = sshArgv(settings, 'web1.example.com', 'dev', ['sh', '-c', 'echo "$1"', 'x y']);
    expect(argv).toEqual([
      'ssh', '-F', '/tmp/my config', '-i', '/keys/id_ed25519',
      '-o', 'Port=2222', '-o', 'ProxyJump=bastion',
      ...DEFAULT_SSH_OPTIONS.flatMap((o) => ['-o', o]),
      '-l', 'dev', '--', 'web1.example.com', `sh -c 'echo "$1"' 'x y'`,
    ]);
  });

  it("lets a user's -o replace a default, and leaves the user to ssh when none is given", () => {
    const opts = sshOptions({ options: ['connecttimeout=3'] });
    expect(opts.filter((o) => /connecttimeout/i.test(o))).toEqual(['connecttimeout=3']);
    expect(opts).not.toContain('-l');
    expect(opts).toContain('BatchMode=yes');
  });

  it('shares one connection per host through a private control dir, unless the user set their own', () => {
    expect(sshOptions({ options: [], controlDir: '/tmp/brine-ssh-x' })).toEqual(
      expect.arrayContaining(['ControlMaster=auto', 'ControlPath=/tmp/brine-ssh-x/%C', 'ControlPersist=60']),
    );
    const own = sshOptions({ options: ['ControlPath=~/.ssh/cm-%C'], controlDir: '/tmp/brine-ssh-x' });
    expect(own.filter((o) => o.startsWith('ControlPath'))).toEqual(['ControlPath=~/.ssh/cm-%C']);
    expect(closeArgv({ options: [], controlDir: '/d' }, 'h', 'root').slice(-5)).toEqual(['root', '-O', 'exit', '--', 'h']);
  });

  it('refuses addresses that ssh would read as options or a shell would interpret', () => {
    for (const bad of ['-oProxyCommand=sh', 'a b', 'h;reboot', '', "x'y"]) expect(() => checkAddress(bad)).toThrow(/not a host address/);
    expect(checkAddress('10.231.3.2')).toBe('10.231.3.2');
    expect(checkAddress('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('rsyncArgv', () => {
  it('passes the same ssh options through -e, uploads root-only, and uses sudo -n rsync for a non-root login', () => {
    const argv = rsyncArgv(settings, '10.0.0.5', 'dev', { sources: ['/tmp/s/brine.js', '/p/states'], dest: '/var/lib/brine/run/R', sudo: true });
    const e = argv[argv.indexOf('-e') + 1];
    expect(rsyncSplit(e)).toEqual(['ssh', ...sshOptions(settings, 'dev')]);
    expect(argv).toContain('--rsync-path=sudo -n rsync');
    expect(argv).toContain('--chmod=D0700,F0600');
    expect(argv).toContain('--no-owner');
    expect(argv.slice(-4)).toEqual(['--', '/tmp/s/brine.js', '/p/states', '10.0.0.5:/var/lib/brine/run/R/']);
  });

  it('as root needs no rsync-path; an IPv6 address is bracketed', () => {
    const argv = rsyncArgv({ options: [] }, '2001:db8::1', 'root', { sources: ['a'], dest: '/d/', sudo: false });
    expect(argv.some((a) => a.startsWith('--rsync-path'))).toBe(false);
    expect(argv.at(-1)).toBe('[2001:db8::1]:/d/');
  });
});
