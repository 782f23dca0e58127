// The pillar contract the stack reads (README, "The shipped stack"): developers, secrets in the
// app's environment and masked, TLS, extra firewall ports, the app's port, and clear errors.
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, DEV_KEY, compileStack, contentOf, devsYaml, problemsOf, shipped, spec } from './support.js';

const SECRETS = 'SECRET_KEY: "k3y-with-$pecial\\"chars`"\nDATABASE_URL: postgres://u:pw-9f8e7d@db/x\n';

describe('developers (pillar/devs.yaml)', () => {
  const dir = shipped({
    'pillar/devs.yaml': devsYaml({ ann: { keys: [ADMIN_KEY], sudo: true }, bo: { keys: [DEV_KEY] } }, ['cy']),
  });
  const c = compileStack(dir);

  it('gives each an account, exactly their keys and sudo only with sudo: true (checked by visudo)', () => {
    expect(spec(c, 'ann', 'user')).toMatchObject({ name: 'ann', shell: '/bin/bash', locked: false });
    expect(spec(c, 'ann', 'ssh_auth')).toMatchObject({ user: 'ann', mode: 'manage', keys: [expect.objectContaining({ comment: 'ann@test' })] });
    expect(spec(c, '/etc/sudoers.d/ann', 'file')).toMatchObject({ mode: 0o440, checkCmd: ['visudo', '-cf'] });
    expect(contentOf(c, '/etc/sudoers.d/ann')).toMatch(/^# Managed by brine \(states\/users\).*\nann ALL=\(ALL:ALL\) NOPASSWD: ALL\n$/);
    expect(c.graph.order.find((d) => d.id === '/etc/sudoers.d/bo')).toMatchObject({ kind: 'file', fn: 'absent' });
  });

  it('sets the login and admin groups to exactly the developers, so anyone else loses SSH', () => {
    expect(spec(c, 'sshusers', 'group')).toMatchObject({ system: true, members: ['ann', 'bo'] });
    expect(spec(c, 'sshadmins', 'group')).toMatchObject({ system: true, members: ['ann'] });
    const stale = spec<{ argv: string[] }>(c, 'stale-sudoers', 'cmd');
    expect(stale.argv.slice(3)).toEqual(['stale-sudoers', 'ann']);
    const onlyif = c.graph.order.find((d) => d.id === 'stale-sudoers')!.conditions;
    expect(onlyif).toMatchObject([{ type: 'onlyif' }]);
    expect(onlyif[0].commands.map((argv) => argv.slice(3))).toEqual([['stale-sudoers', 'ann']]);
  });

  it('locks out devs_absent: no keys, no sudo, locked and expired, out of the groups', () => {
    expect(spec(c, 'cy', 'user')).toMatchObject({ name: 'cy', locked: true });
    expect(spec(c, 'cy', 'ssh_auth')).toMatchObject({ user: 'cy', mode: 'manage', keys: [] });
    expect(c.graph.order.find((d) => d.id === '/etc/sudoers.d/cy')).toMatchObject({ kind: 'file', fn: 'absent' });
  });

  it('names a malformed key with file, line and state', () => {
    const ps = problemsOf(() => compileStack(shipped({ 'pillar/devs.yaml': devsYaml({ ann: { keys: [ADMIN_KEY, 'ssh-ed25519 not-base64!'], sudo: true } }) })));
    expect(ps).toEqual([expect.objectContaining({ file: 'states/users/init.yaml', id: 'ann', field: 'ssh_keys', message: expect.stringMatching(/^key 2: /) })]);
  });
});

describe('secrets (pillar/<env>/secrets.yaml)', () => {
  it('are exported, every key but tls, into a root-only environment file over the pillar\'s app.env, never showing a diff', () => {
    const c = compileStack(shipped({ 'pillar/staging/secrets.yaml': SECRETS }));
    expect(c.pillarFiles).toContain('pillar/staging/secrets.yaml');
    // secrets.yaml's DATABASE_URL wins over project.yaml's app.env (a database on another host).
    expect(contentOf(c, '/etc/hello/env')).toBe('DATABASE_URL="postgres://u:pw-9f8e7d@db/x"\nREDIS_URL="unix:///run/redis/redis-server.sock"\nSECRET_KEY="k3y-with-\\$pecial\\"chars\\`"\n');
    expect(spec(c, '/etc/hello/env', 'file')).toMatchObject({ user: 'root', group: 'root', mode: 0o600, showChanges: false, backup: false });
    expect(spec(c, '/etc/hello', 'file')).toMatchObject({ mode: 0o700 });
    expect(c.secrets.mask('k3y-with-$pecial"chars` and postgres://u:pw-9f8e7d@db/x')).toBe('******** and ********');
  });

  it('may be missing (a fresh checkout): the app then gets only app.env in its environment file', () => {
    const c = compileStack(shipped());
    expect(c.pillarFiles).not.toContain('pillar/staging/secrets.yaml');
    expect(contentOf(c, '/etc/hello/env')).toBe('DATABASE_URL="postgres://%2Frun%2Fpostgresql/hello"\nREDIS_URL="unix:///run/redis/redis-server.sock"\n');
  });

  it('must be flat with environment-variable names; the error names the key, never the value', () => {
    const ps = problemsOf(() => compileStack(shipped({ 'pillar/staging/secrets.yaml': 'database-url: pw-0a1b2c3d\n' })));
    expect(ps).toEqual([expect.objectContaining({ file: 'states/app/init.yaml', message: expect.stringContaining('"database-url" is not a valid environment variable name') })]);
    expect(JSON.stringify(ps)).not.toContain('pw-0a1b2c3d');
  });

  it('may carry tls: {cert, key}: the key is written 0600 with no diff, no certificate is generated, HSTS is on', () => {
    const tls = 'tls:\n  cert: "-----BEGIN CERTIFICATE-----\\nMIIBcert\\n-----END CERTIFICATE-----\\n"\n  key: "-----BEGIN PRIVATE KEY-----\\nMIIEkeyMaterial0123\\n-----END PRIVATE KEY-----\\n"\n';
    const c = compileStack(shipped({ 'pillar/staging/secrets.yaml': SECRETS + tls }));
    expect(c.graph.order.some((d) => d.id === 'self-signed-certificate')).toBe(false);
    expect(spec(c, '/etc/nginx/tls/staging.example.com.key', 'file')).toMatchObject({ mode: 0o600, showChanges: false, backup: false });
    expect(contentOf(c, '/etc/nginx/tls/staging.example.com.crt')).toContain('MIIBcert');
    expect(contentOf(c, '/etc/hello/env')).not.toContain('tls');
    expect(contentOf(c, '/etc/nginx/sites-enabled/hello')).toContain('Strict-Transport-Security');
    expect(c.secrets.mask('MIIEkeyMaterial0123')).toBe('********');
  });
});

describe('environment pillar (pillar/<env>/env.yaml) and project.yaml', () => {
  const env = (extra: string) => ({ 'pillar/staging/env.yaml': `environment: staging\ndomain: shop.test\nhosts: []\n${extra}` });

  it('opens firewall.allow ports: numbers, lists and ranges (TCP), or ufw.rule arguments', () => {
    const c = compileStack(shipped(env('firewall:\n  allow: [8443, "6000:6007", {port: 51820, proto: udp, from: 10.0.0.0/8}]\n')));
    expect([0, 1, 2].map((i) => spec(c, `allow-extra-${i}`, 'ufw'))).toEqual([
      expect.objectContaining({ action: 'allow', port: '8443', proto: 'tcp' }),
      expect.objectContaining({ action: 'allow', port: '6000:6007', proto: 'tcp' }),
      expect.objectContaining({ action: 'allow', port: '51820', proto: 'udp', from: '10.0.0.0/8' }),
    ]);
    const enabled = c.graph.incoming.get('firewall-on|ufw')!.map((e) => e.from);
    expect(enabled).toEqual(expect.arrayContaining(['allow-extra-0|ufw', 'allow-extra-2|ufw']));
  });

  it('passes nginx.settings and sshd.settings through, sshd ones first so they take precedence', () => {
    const c = compileStack(shipped(env('nginx:\n  settings: {client_max_body_size: 20m}\nsshd:\n  settings: {ClientAliveInterval: 300}\n')));
    expect(contentOf(c, '/etc/nginx/sites-enabled/hello')).toContain('    client_max_body_size 20m;\n');
    const sshd = contentOf(c, '/etc/ssh/sshd_config.d/10-brine.conf');
    expect(sshd.indexOf('ClientAliveInterval 300')).toBeLessThan(sshd.indexOf('PermitRootLogin no'));
  });

  it('serves the app on a loopback port when project.yaml gives app.port', () => {
    const c = compileStack(shipped({ 'pillar/project.yaml': 'project_name: shop\napp: {module: "shop.wsgi:application", workers: 3, port: 8000}\n' }));
    expect(contentOf(c, '/etc/nginx/sites-enabled/shop')).toContain('server 127.0.0.1:8000;');
    expect(contentOf(c, '/etc/systemd/system/shop.service')).toMatch(/--workers 3 --bind 127.0.0.1:8000 .* shop.wsgi:application$/m);
    expect(spec(c, 'shop', 'user')).toMatchObject({ home: '/srv/shop' });
  });

  it('reports a missing key of the contract with file and line, all at once', () => {
    const ps = problemsOf(() => compileStack(shipped({ 'pillar/staging/env.yaml': 'environment: staging\nhosts: []\n' })));
    expect(ps.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^states\/nginx\/init.yaml:\d+ template: 'pillar.domain' is not defined/)]),
    );
  });

  it('refuses a value that would change the YAML structure of a state file', () => {
    const ps = problemsOf(() => compileStack(shipped({ 'pillar/project.yaml': 'project_name: "x: y"\napp: {module: a:b, workers: 1}\n' })));
    expect(ps[0].message).toContain("the value of 'pillar.project_name' would change the YAML structure");
  });
});
