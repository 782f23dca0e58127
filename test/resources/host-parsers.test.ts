// Parsers of host facts, fed with files and command output captured from a Debian 12 test host.
import { describe, expect, it } from 'vitest';
import { isInstalled, isPresent, parseAptPolicy, parseDpkgStatus, policyFor } from '../../src/resources/pkg/dpkg.js';
import { parseSystemctlShow, unitName } from '../../src/resources/service/systemd.js';
import { normalizeAddress, normalizePorts, parseSettings, parseTuples, portCovers } from '../../src/resources/ufw/rules.js';
import { fixture } from './system-host.js';

describe('dpkg status', () => {
  const status = parseDpkgStatus(fixture('dpkg-status'));

  it('reads name, version and status, ignoring description lines that look like fields', () => {
    expect(status.get('bash')).toEqual({ name: 'bash', arch: 'amd64', version: '5.2.15-2+b8', status: 'install ok installed' });
    expect(status.has('not-a-field-but-a-description-line')).toBe(false);
  });

  it('counts held packages as installed, config-files and half-configured as not', () => {
    expect(isInstalled(status.get('openssl'))).toBe(true);
    expect(isInstalled(status.get('ufw'))).toBe(false);
    expect(isPresent(status.get('ufw'))).toBe(false);
    expect(isInstalled(status.get('nginx-common'))).toBe(false);
    expect(isPresent(status.get('nginx-common'))).toBe(true);
    expect(isInstalled(status.get('nginx-light'))).toBe(false);
  });

  it('keys multi-arch packages by name:arch too', () => {
    expect(status.get('libc6:i386')?.version).toBe('2.36-9+deb12u7');
    expect(status.get('libc6:amd64')?.version).toBe('2.36-9+deb12u14');
    expect(isInstalled(status.get('libc6'))).toBe(true);
  });
});

describe('apt-cache policy', () => {
  const policy = parseAptPolicy(fixture('apt-cache-policy'));

  it('reads the candidate and every version in the table', () => {
    expect(policy.get('nginx-light')).toEqual({ candidate: '1.22.1-9+deb12u11', versions: ['1.22.1-9+deb12u11', '1.22.1-9+deb12u9'] });
    expect(policy.get('bash')).toEqual({ candidate: '5.2.15-2+b13', versions: ['5.2.15-2+b13', '5.2.15-2+b8'] });
  });

  it('has no candidate for a virtual package and finds native name:arch under the bare name', () => {
    expect(policy.get('mail-transport-agent')?.candidate).toBeUndefined();
    expect(policyFor(policy, 'libc6:amd64')?.candidate).toBe('2.36-9+deb12u14');
    expect(policyFor(policy, 'no-such-package')).toBeUndefined();
  });
});

describe('systemctl show', () => {
  it('parses one block per unit in the order asked, empty properties included', () => {
    const units = parseSystemctlShow(fixture('systemctl-show'), ['nginx.service', 'ssh.service', 'gunicorn.service']);
    expect(units.get('nginx.service')).toMatchObject({ loadState: 'loaded', activeState: 'inactive', unitFileState: 'enabled', canReload: true, needDaemonReload: false });
    expect(units.get('ssh.service')).toMatchObject({ activeState: 'active', subState: 'running' });
    expect(units.get('gunicorn.service')).toMatchObject({ loadState: 'not-found', unitFileState: '' });
  });

  it('refuses output whose blocks do not match the units asked', () => {
    expect(() => parseSystemctlShow(fixture('systemctl-show'), ['nginx.service'])).toThrow(/3 blocks for 1 units/);
  });

  it('names units as systemctl does', () => {
    expect(unitName('nginx')).toBe('nginx.service');
    expect(unitName('getty@tty1')).toBe('getty@tty1.service');
    expect(unitName('apt-daily.timer')).toBe('apt-daily.timer');
  });
});

describe('ufw files', () => {
  it('reads tuples with comments, port lists, ranges and both families', () => {
    const v4 = parseTuples(fixture('ufw-user.rules'), false);
    const v6 = parseTuples(fixture('ufw-user6.rules'), true);
    expect(v4.map((t) => `${t.action} ${t.proto} ${t.dport} ${t.src} ${t.direction}`)).toEqual([
      'allow tcp 22 0.0.0.0/0 in',
      'allow tcp 80,443 0.0.0.0/0 in',
      'limit tcp 6000:6007 10.0.0.0/8 in',
    ]);
    expect(v4[1].comment).toBe(Buffer.from('web ports').toString('hex'));
    expect(v6.map((t) => `${t.action} ${t.proto} ${t.dport} ${t.src}`)).toEqual(['allow tcp 22 ::/0', 'allow tcp 80,443 ::/0', 'deny any 53 2001:db8::1']);
  });

  it('reads shell-style settings without quotes', () => {
    expect(parseSettings(fixture('ufw-default'))).toMatchObject({ IPV6: 'yes', DEFAULT_INPUT_POLICY: 'DROP', DEFAULT_OUTPUT_POLICY: 'ACCEPT' });
  });

  it('normalises addresses and ports as ufw does', () => {
    expect(normalizeAddress('any', false)).toBe('0.0.0.0/0');
    expect(normalizeAddress('any', true)).toBe('::/0');
    expect(normalizeAddress('10.0.0.7/8', false)).toBe('10.0.0.0/8');
    expect(normalizeAddress('192.168.1.9/255.255.255.0', false)).toBe('192.168.1.0/24');
    expect(normalizeAddress('10.1.2.3/32', false)).toBe('10.1.2.3');
    expect(normalizeAddress('2001:0db8:0000::0001/128', true)).toBe('2001:db8::1');
    expect(normalizePorts('443,80,6000:6007')).toBe('80,443,6000:6007');
    expect(portCovers('80,443,6000:6007', 6003)).toBe(true);
    expect(portCovers('80,443', 22)).toBe(false);
    expect(portCovers('any', 22)).toBe(true);
  });
});
