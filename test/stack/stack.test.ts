// The shipped stack compiled for staging and production by the real compiler: which states a
// host gets, and the order that keeps a host reachable (users before sshd, rules before ufw).
import { describe, expect, it } from 'vitest';
import { fnOf, compileStack, contentOf, label, position, shipped, spec, web } from './support.js';

describe.each(['staging', 'production'])('the shipped tree, %s', (env) => {
  it('compiles as shipped (no secrets.yaml) for a web host and for a plain one', () => {
    const c = compileStack(shipped(), web({ env }));
    expect(c.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening', 'app', 'nginx']);
    expect(c.pillarFiles).toEqual(['pillar/project.yaml', 'pillar/devs.yaml', 'pillar/hardening.yaml', `pillar/${env}/env.yaml`]);
    const plain = compileStack(shipped(), { env, roles: [] });
    expect(plain.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening']);
  });

  it('hardens sshd only after every users state, and reloads it on change', () => {
    const c = compileStack(shipped(), web({ env }));
    const dropIn = position(c, 'file.managed /etc/ssh/sshd_config.d/10-brine.conf');
    const users = c.graph.order.filter((d) => d.sls === 'users');
    expect(users.map(label)).toEqual(expect.arrayContaining(['user.present alice', 'ssh_auth.manage alice', 'file.managed /etc/sudoers.d/alice', 'group.present sshusers']));
    for (const d of users) expect(position(c, label(d)), label(d)).toBeLessThan(dropIn);
    const edges = c.graph.incoming.get('/etc/ssh/sshd_config.d/10-brine.conf|file')!;
    expect(edges.filter((e) => e.type === 'require').map((e) => e.from).sort()).toEqual([...users.map((d) => d.key), '/usr/local/lib/brine/sshd-check|file'].sort());
    expect(position(c, 'service.running ssh')).toBeGreaterThan(dropIn);
    expect(spec(c, 'ssh', 'service')).toMatchObject({ unit: 'ssh.service', reload: true });
    expect(spec(c, '/etc/ssh/sshd_config.d/10-brine.conf', 'file')).toMatchObject({ checkInPlace: ['/usr/local/lib/brine/sshd-check'], mode: 0o644 });
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

  it('starts the app after its unit and environment, and restarts it when they change', () => {
    const c = compileStack(shipped(), web({ env }));
    const watched = c.graph.incoming.get('hello|service')!.filter((e) => e.type === 'watch').map((e) => e.from);
    expect(watched.sort()).toEqual(['/etc/hello/env|file', '/etc/systemd/system/hello.service|file']);
    for (const w of watched) expect(c.graph.order.findIndex((d) => d.key === w)).toBeLessThan(position(c, 'service.running hello'));
    expect(spec(c, 'hello', 'user')).toMatchObject({ system: true, shell: '/usr/sbin/nologin', home: '/srv/hello', createhome: false });
    const unit = contentOf(c, '/etc/systemd/system/hello.service');
    expect(unit).toContain('User=hello\n');
    expect(unit).toContain('EnvironmentFile=/etc/hello/env\n');
    expect(unit).toContain(`Environment=APP_ENVIRONMENT=${env}\n`);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/env \/srv\/hello\/current\/.venv\/bin\/python3 -m gunicorn --workers 2 --bind unix:\/run\/hello\/gunicorn.sock .* --chdir \/srv\/hello\/current hello.wsgi:application$/m);
    for (const h of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'ReadWritePaths=/run/hello /var/lib/hello']) {
      expect(unit).toContain(h + '\n');
    }
    expect(spec(c, '/var/lib/hello', 'file')).toMatchObject({ user: 'hello', group: 'hello', mode: 0o750 });
    expect(spec(c, '/srv/hello/static', 'file')).toMatchObject({ target: 'current/static' });
  });

  it('deploys the uploaded release before the service, with the hooks, virtualenv and health check of the pillar', () => {
    const c = compileStack(shipped({ 'release/release.json': JSON.stringify({ id: 'abc1234', files: {} }) }), web({ env }));
    expect(position(c, 'release.deployed hello-release')).toBeLessThan(position(c, 'service.running hello'));
    expect(c.graph.incoming.get('hello|service')!.map((e) => e.from)).toContain('hello-release|release');
    for (const before of ['file.managed /etc/hello/env', 'file.managed /etc/systemd/system/hello.service', 'pkg.installed gunicorn', 'pkg.installed app-packages', 'file.directory /var/lib/hello']) {
      expect(position(c, before), before).toBeLessThan(position(c, 'release.deployed hello-release'));
    }
    expect(spec(c, 'hello-release', 'release')).toMatchObject({
      root: '/srv/hello',
      manifest: expect.stringMatching(/\/release\/release\.json$/),
      user: 'hello',
      service: 'hello',
      envFile: '/etc/hello/env',
      env: { APP_ENVIRONMENT: env },
      hooks: [['manage.py', 'migrate', '--noinput'], ['manage.py', 'collectstatic', '--noinput']],
      venv: { systemSitePackages: true, findLinks: [], extraArgs: ['--no-index'] },
      health: { path: '/healthz', host: env === 'staging' ? 'staging.example.com' : 'www.example.com', socket: '/run/hello/gunicorn.sock', timeout: 30 },
      keep: 5,
    });
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
      'cmd.run', 'file.absent', 'file.directory', 'file.managed', 'file.symlink', 'group.present', 'pkg.installed',
      'service.running', 'ssh_auth.manage', 'ufw.default', 'ufw.enabled', 'ufw.rule', 'user.present',
    ]);
  });
});
