// The shipped fail2ban, upgrades and hardening states and the release-dependent packages,
// compiled by the real compiler: on by default, off through the env pillar, packages from facts.
import { describe, expect, it } from 'vitest';
import type { PkgSpec } from '../../src/resources/pkg/spec.js';
import { compileStack, contentOf, label, shipped, spec, web } from './support.js';

const os = (codename: string, id = 'debian') => ({ os: { id, version_id: '', codename, pretty_name: '' } });
const ENV = 'environment: staging\ndomain: staging.example.com\nhosts: []\n';
const envWith = (extra: string) => shipped({ 'pillar/staging/env.yaml': ENV + extra });
const nginxPackages = (over = {}, dir = shipped()) => spec<PkgSpec>(compileStack(dir, web(over)), 'nginx', 'pkg').packages.map((p) => p.name);

describe('the hardened stack', () => {
  it('installs the release\'s nginx: nginx-light on Debian 12, nginx on 13 and Ubuntu, or the pillar\'s', () => {
    expect(nginxPackages(os('bookworm'))).toEqual(['nginx-light', 'openssl']);
    expect(nginxPackages(os('trixie'))).toEqual(['nginx', 'openssl']);
    expect(nginxPackages(os('noble', 'ubuntu'))).toEqual(['nginx', 'openssl']);
    expect(nginxPackages(os('trixie'), envWith('nginx:\n  package: nginx-full\n'))).toEqual(['nginx-full', 'openssl']);
  });

  it('switches fail2ban, upgrades and hardening off through the env pillar, the nginx jail with fail2ban', () => {
    const on = compileStack(shipped(), web());
    const ids = (c: typeof on) => c.graph.order.map(label);
    expect(ids(on)).toEqual(expect.arrayContaining(['service.running fail2ban', 'file.managed /etc/fail2ban/jail.d/brine-nginx.local', 'pkg.installed unattended-upgrades', 'cmd.run sysctl-running']));
    const off = compileStack(envWith('fail2ban: {enabled: false}\nupgrades: {enabled: false}\nhardening: {enabled: false}\n'), web());
    expect(off.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening', 'app', 'nginx']);
    expect(off.graph.order.filter((d) => ['fail2ban', 'upgrades', 'hardening'].includes(d.sls))).toEqual([]);
    expect(ids(off).filter((l) => l.includes('fail2ban'))).toEqual([]);
    // The nginx jail is only for web hosts, and fail2ban is reloaded after it.
    expect(ids(compileStack(shipped(), { roles: [] })).filter((l) => l.includes('nginx'))).toEqual([]);
    const watched = on.graph.incoming.get('fail2ban|service')!.filter((e) => e.type === 'watch').map((e) => e.from);
    expect(watched.sort()).toEqual(['/etc/fail2ban/jail.d/brine-nginx.local|file', '/etc/fail2ban/jail.local|file']);
  });

  it('never bans loopback or firewall.admin_from', () => {
    expect(contentOf(compileStack(shipped(), web()), '/etc/fail2ban/jail.local')).toContain('\nignoreip = 127.0.0.1/8 ::1\n');
    const c = compileStack(envWith('firewall:\n  admin_from: [203.0.113.7, 198.51.100.0/24]\n'), web());
    const jail = contentOf(c, '/etc/fail2ban/jail.local');
    expect(jail).toContain('\nignoreip = 127.0.0.1/8 ::1 203.0.113.7 198.51.100.0/24\n');
    expect(jail).toMatch(/\[sshd\]\nenabled = true\nbackend = systemd\n/);
  });

  it('updates from the security archive only, and reboots only with upgrades.reboot_at', () => {
    const conf = (dir: string) => contentOf(compileStack(dir, web()), '/etc/apt/apt.conf.d/52brine-unattended-upgrades');
    const plain = conf(shipped());
    expect(plain).toContain('#clear Unattended-Upgrade::Origins-Pattern;\n');
    expect(plain).toContain('"origin=${distro_id},codename=${distro_codename}-security";');
    expect(plain).toContain('Unattended-Upgrade::Automatic-Reboot "false";');
    const reboot = conf(envWith('upgrades:\n  reboot_at: "03:30"\n'));
    expect(reboot).toContain('Unattended-Upgrade::Automatic-Reboot "true";\nUnattended-Upgrade::Automatic-Reboot-Time "03:30";\n');
  });

  it('offers only strong host keys and algorithms, each setting overridable', () => {
    const dropIn = contentOf(compileStack(shipped(), web()), '/etc/ssh/sshd_config.d/10-brine.conf');
    expect(dropIn.match(/^HostKey .*$/gm)).toEqual(['HostKey /etc/ssh/ssh_host_ed25519_key', 'HostKey /etc/ssh/ssh_host_rsa_key']);
    for (const kw of ['HostKeyAlgorithms', 'PubkeyAcceptedAlgorithms', 'KexAlgorithms', 'CASignatureAlgorithms']) {
      const line = new RegExp(`^${kw} (.*)$`, 'm').exec(dropIn)?.[1];
      expect(line, kw).toBeDefined();
      expect(line).not.toMatch(/ecdsa|nistp|sha1|ssh-rsa(,|$)|group14|group1-/);
    }
    for (const line of ['AllowTcpForwarding no', 'ClientAliveCountMax 2', 'MaxSessions 2', 'TCPKeepAlive no', 'Compression no', 'RequiredRSASize 3072']) {
      expect(dropIn).toContain(`\n${line}\n`);
    }
    // sshd keeps the first value it reads: an env's setting goes before the stack's own.
    const over = contentOf(compileStack(envWith('sshd:\n  settings: {MaxSessions: 4}\n'), web()), '/etc/ssh/sshd_config.d/10-brine.conf');
    expect(over.indexOf('MaxSessions 4')).toBeLessThan(over.indexOf('MaxSessions 2'));
  });

  it('writes the sysctls of pillar/hardening.yaml with the env\'s overrides, leaving out null ones', () => {
    const conf = contentOf(compileStack(envWith('hardening:\n  sysctl: {net.ipv4.ip_forward: 1, kernel.sysrq: null}\n'), web()), '/etc/sysctl.d/90-brine-hardening.conf');
    expect(conf).toContain('\nnet.ipv4.ip_forward = 1\n');
    expect(conf).toContain('\nkernel.kptr_restrict = 2\n');
    expect(conf).not.toContain('kernel.sysrq');
  });

  it('serves Mozilla intermediate TLS with security headers, HSTS only with a real certificate', () => {
    const site = contentOf(compileStack(shipped(), web()), '/etc/nginx/sites-enabled/hello');
    expect(site).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(site).toContain('server_tokens off;');
    expect(site).toContain('add_header X-Content-Type-Options "nosniff" always;');
    expect(site).not.toContain('Strict-Transport-Security');
    const tls = shipped({ 'pillar/staging/secrets.yaml': 'tls:\n  cert: CERT-0123456789\n  key: KEY-0123456789\n' });
    expect(contentOf(compileStack(tls, web()), '/etc/nginx/sites-enabled/hello')).toContain('add_header Strict-Transport-Security "max-age=63072000" always;');
  });
});
