// The shipped stack compiled for staging and production by the real compiler: which states a
// host gets, and the order that keeps a host reachable (users before sshd, rules before ufw).
import { describe, expect, it } from 'vitest';
import { fnOf, compileStack, contentOf, label, position, shipped, spec, web } from './support.js';

describe.each(['staging', 'production'])('the shipped tree, %s', (env) => {
  it('compiles as shipped (no secrets.yaml) for a web host and for a plain one', () => {
    const c = compileStack(shipped(), web({ env }));
    expect(c.sls).toEqual(['users', 'sshd', 'firewall', 'app', 'nginx']);
    expect(c.pillarFiles).toEqual(['pillar/project.yaml', 'pillar/devs.yaml', `pillar/${env}/env.yaml`]);
    const plain = compileStack(shipped(), { env, roles: [] });
    expect(plain.sls).toEqual(['users', 'sshd', 'firewall']);
  });

  it('hardens sshd only after every users state, and reloads it on change', () => {
    const c = compileStack(shipped(), web({ env }));
    const dropIn = position(c, 'file.managed /etc/ssh/sshd_config.d/10-brine.conf');
    const users = c.graph.order.filter((d) => d.sls === 'users');
    expect(users.map(label)).toEqual(expect.arrayContaining(['user.present alice', 'ssh_auth.manage alice', 'file.managed /etc/sudoers.d/alice', 'group.present sshusers']));
    for (const d of users) expect(position(c, label(d)), label(d)).toBeLessThan(dropIn);
    const edges = c.graph.incoming.get('/etc/ssh/sshd_config.d/10-brine.conf|file')!;
    expect(edges.filter((e) => e.type === 'require').map((e) => e.from).sort()).toEqual(users.map((d) => d.key).sort());
    expect(position(c, 'service.running ssh')).toBeGreaterThan(dropIn);
    expect(spec(c, 'ssh', 'service')).toMatchObject({ unit: 'ssh.service', reload: true });
    expect(spec(c, '/etc/ssh/sshd_config.d/10-brine.conf', 'file')).toMatchObject({ checkInPlace: ['/usr/sbin/sshd', '-t'], mode: 0o644 });
  });

  it('enables ufw last, after its defaults and every rule', () => {
    const c = compileStack(shipped(), web({ env }));
    const firewall = c.graph.order.filter((d) => d.sls === 'firewall').map(label);
    expect(firewall).toEqual([
      'pkg.installed ufw',
      'ufw.default ufw-defaults',
      'ufw.rule allow-ssh',
      'ufw.rule allow-http',
      'ufw.rule allow-https',
      'ufw.enabled firewall-on',
    ]);
    expect(spec(c, 'ufw-defaults', 'ufw')).toEqual({ incoming: 'deny', outgoing: 'allow' });
    expect(['allow-ssh', 'allow-http', 'allow-https'].map((id) => spec(c, id, 'ufw'))).toEqual([
      expect.objectContaining({ action: 'allow', port: '22', proto: 'tcp' }),
      expect.objectContaining({ action: 'allow', port: '80', proto: 'tcp' }),
      expect.objectContaining({ action: 'allow', port: '443', proto: 'tcp' }),
    ]);
  });

  it('starts the app after its code, unit and environment, and restarts it when they change', () => {
    const c = compileStack(shipped(), web({ env }));
    const watched = c.graph.incoming.get('hello|service')!.filter((e) => e.type === 'watch').map((e) => e.from);
    expect(watched.sort()).toEqual(['/etc/hello/env|file', '/etc/systemd/system/hello.service|file', '/srv/hello/app.py|file']);
    for (const w of watched) expect(c.graph.order.findIndex((d) => d.key === w)).toBeLessThan(position(c, 'service.running hello'));
    expect(spec(c, 'hello', 'user')).toMatchObject({ system: true, shell: '/usr/sbin/nologin', home: '/srv/hello', createhome: false });
    const unit = contentOf(c, '/etc/systemd/system/hello.service');
    expect(unit).toContain('User=hello\n');
    expect(unit).toContain('EnvironmentFile=/etc/hello/env\n');
    expect(unit).toContain(`Environment=APP_ENVIRONMENT=${env}\n`);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/gunicorn --workers 2 --bind unix:\/run\/hello\/gunicorn.sock .* app:application$/m);
    for (const h of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'ReadWritePaths=/run/hello /var/lib/hello']) {
      expect(unit).toContain(h + '\n');
    }
  });

  it('serves the site over HTTPS with a self-signed certificate made before nginx -t, then drops the default site', () => {
    const c = compileStack(shipped(), web({ env }));
    const site = '/etc/nginx/sites-enabled/hello';
    const cert = position(c, 'cmd.run self-signed-certificate');
    expect(cert).toBeLessThan(position(c, `file.managed ${site}`));
    expect(position(c, `file.managed ${site}`)).toBeLessThan(position(c, 'file.absent /etc/nginx/sites-enabled/default'));
    expect(position(c, 'file.absent /etc/nginx/sites-enabled/default')).toBeLessThan(position(c, 'service.running nginx'));
    expect(spec(c, site, 'file')).toMatchObject({ checkInPlace: ['/usr/sbin/nginx', '-t', '-q'] });
    const domain = env === 'staging' ? 'staging.example.com' : 'www.example.com';
    const certState = c.graph.order.find((d) => d.id === 'self-signed-certificate')!;
    expect(certState.conditions).toMatchObject([{ type: 'creates', commands: [[`/etc/nginx/tls/${domain}.crt`]] }]);
    expect(spec(c, 'self-signed-certificate', 'cmd')).toMatchObject({ converges: true });
    const conf = contentOf(c, site);
    expect(conf).toContain(`server_name ${domain};`);
    expect(conf).toContain('return 301 https://$host$request_uri;');
    expect(conf).toContain('server unix:/run/hello/gunicorn.sock;');
    expect(conf).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
    expect(conf).toContain('alias /srv/hello/static/;');
    expect(conf).not.toContain('Strict-Transport-Security'); // not with a self-signed certificate
  });

  it('plans nothing outside the functions the stack is documented to use', () => {
    const c = compileStack(shipped(), web({ env }));
    expect([...new Set(c.graph.order.map(fnOf))].sort()).toEqual([
      'cmd.run', 'file.absent', 'file.directory', 'file.managed', 'group.present', 'pkg.installed',
      'service.running', 'ssh_auth.manage', 'ufw.default', 'ufw.enabled', 'ufw.rule', 'user.present',
    ]);
  });
});
