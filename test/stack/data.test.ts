// The shipped data states (postgres, redis, backups) compiled by the real compiler: what a db,
// cache or web host gets, the unix-socket default, the separate db host with its password and
// firewall, and the refusals that keep a pillar from meaning something it cannot do.
import { describe, expect, it } from 'vitest';
import { compileStack, contentOf, label, position, problemsOf, shipped, spec } from './support.js';

const PRODUCTION_SECRETS = 'SECRET_KEY: k-0123456789\ndb:\n  password: pw-0123456789abcdef\nDATABASE_URL: postgres://hello:pw-0123456789abcdef@192.0.2.22:5432/hello\n';

describe('the data states', () => {
  it('one staging host with web, db and cache: socket-only postgres with peer auth, redis on its socket for the app\'s user, backups', () => {
    const c = compileStack(shipped(), { env: 'staging', roles: ['web', 'db', 'cache'] });
    expect(c.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening', 'postgres', 'backups', 'redis', 'app', 'nginx']);
    expect(contentOf(c, '/usr/local/sbin/hello-backup')).toContain("cat <<'BRINE_DATA_DIRS'\n/var/lib/hello\nBRINE_DATA_DIRS\n");
    expect(contentOf(c, 'postgres-settings')).toContain("listen_addresses = ''\n");
    expect(contentOf(c, 'postgres-hba')).toMatch(/^local {3}all {13}all {37}peer$/m);
    expect(contentOf(c, 'postgres-hba')).not.toMatch(/^host {4}hello/m);
    expect(spec(c, 'postgres-role', 'postgres_user')).toEqual({ name: 'hello', flags: { login: true, createdb: false }, password: undefined, refreshPassword: false });
    expect(spec(c, 'postgres-database', 'postgres_database')).toEqual({ name: 'hello', owner: 'hello', encoding: 'UTF8', lcCollate: 'C.UTF-8', lcCtype: 'C.UTF-8', template: 'template0' });
    expect(position(c, 'postgres_database.present postgres-database')).toBeGreaterThan(position(c, 'postgres_user.present postgres-role'));
    expect(position(c, 'postgres_user.present postgres-role')).toBeGreaterThan(position(c, 'service.running postgresql'));
    // The app's user joins group redis before the app (re)starts.
    expect(spec(c, 'redis-clients', 'group')).toMatchObject({ name: 'redis', addusers: ['hello'] });
    expect(c.graph.incoming.get('hello|service')!.some((e) => e.from === 'redis-clients|group' && e.type === 'watch')).toBe(true);
    expect(contentOf(c, '/etc/redis/redis.conf')).toMatch(/^port 0$/m);
    expect(contentOf(c, '/etc/redis/redis.conf')).toMatch(/^unixsocketperm 770$/m);
    expect(contentOf(c, '/usr/local/sbin/hello-backup')).toContain('runuser -u postgres -- pg_dump -Fc --dbname="$project"');
    expect(contentOf(c, '/etc/systemd/system/hello-backup.timer')).toMatch(/^OnCalendar=daily$/m);
  });

  it('a web host alone gets the clients, no server and no backups', () => {
    const c = compileStack(shipped(), { env: 'staging', roles: ['web'] });
    expect(c.graph.order.map(label)).toContain('pkg.installed app-data-clients');
    expect(c.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening', 'app', 'nginx']);
  });

  it('backups on a host without a database archive only the app\'s data (/var/lib/<project_name>, data_dirs inside it)', () => {
    const c = compileStack(shipped({ 'pillar/project.yaml': 'project_name: hello\napp: {module: "app:application", workers: 2, data_dirs: [media]}\n' }), { env: 'staging', roles: ['web'] }, ['backups']);
    expect(contentOf(c, '/usr/local/sbin/hello-backup')).not.toContain('pg_dump');
    expect(contentOf(c, '/usr/local/sbin/hello-backup')).toContain("cat <<'BRINE_DATA_DIRS'\n/var/lib/hello\nBRINE_DATA_DIRS\n");
  });

  it('a separate db host (db.host): listens on TCP, the role has the password (masked), pg_hba and ufw let only the web hosts in', () => {
    const c = compileStack(shipped({ 'pillar/production/secrets.yaml': PRODUCTION_SECRETS }), { env: 'production', roles: ['db'] });
    expect(c.sls).toEqual(['users', 'sshd', 'firewall', 'fail2ban', 'upgrades', 'hardening', 'postgres', 'backups']);
    expect(contentOf(c, 'postgres-settings')).toContain("listen_addresses = '*'\n");
    expect(contentOf(c, 'postgres-hba').match(/^host {4}hello.*$/gm)).toEqual(['host    hello hello 192.0.2.20/32 scram-sha-256', 'host    hello hello 192.0.2.21/32 scram-sha-256']);
    expect(spec(c, 'postgres-role', 'postgres_user')).toMatchObject({ password: 'pw-0123456789abcdef' });
    expect(c.secrets.mask('pw-0123456789abcdef')).toBe('********');
    const rules = c.graph.order.filter((d) => d.kind === 'ufw' && d.id.startsWith('allow-postgres'));
    expect(rules.map((d) => spec(c, d.id, 'ufw'))).toEqual([
      expect.objectContaining({ action: 'allow', port: '5432', from: '192.0.2.20' }),
      expect.objectContaining({ action: 'allow', port: '5432', from: '192.0.2.21' }),
    ]);
    // The web hosts take DATABASE_URL from secrets.yaml; the mappings db, redis and backups stay out.
    const webHost = compileStack(shipped({ 'pillar/production/secrets.yaml': PRODUCTION_SECRETS }), { env: 'production', roles: ['web', 'cache'] });
    expect(contentOf(webHost, '/etc/hello/env')).toBe('DATABASE_URL="postgres://hello:pw-0123456789abcdef@192.0.2.22:5432/hello"\nREDIS_URL="unix:///run/redis/redis-server.sock"\nSECRET_KEY="k-0123456789"\n');
  });

  it('refuses, in --test too, a db.host without a password and an offsite copy without a key', () => {
    const noPassword = problemsOf(() => compileStack(shipped(), { env: 'production', roles: ['db'] }));
    expect(noPassword.map((p) => p.message)).toEqual(['template: postgres: db.host is set, so the role needs db.password in secrets.yaml']);
    const noKey = problemsOf(() => compileStack(shipped({ 'pillar/staging/env.yaml': 'environment: staging\ndomain: d.test\nhosts: []\nbackups: {offsite: "b@h:/x"}\n' }), { env: 'staging', roles: ['db'] }));
    expect(noKey.map((p) => p.message)).toEqual([expect.stringContaining('backups.offsite is set, so secrets.yaml needs backups.ssh_key')]);
  });

  it('redis with a password listens on localhost with requirepass; the file shows no diff and keeps no backup', () => {
    const c = compileStack(shipped({ 'pillar/staging/secrets.yaml': 'redis:\n  password: rp-0123456789\nREDIS_URL: redis://:rp-0123456789@127.0.0.1:6379/0\n' }), { env: 'staging', roles: ['cache'] });
    expect(contentOf(c, '/etc/redis/redis.conf')).toContain('bind 127.0.0.1 -::1\nport 6379\nrequirepass "rp-0123456789"\n');
    expect(spec(c, '/etc/redis/redis.conf', 'file')).toMatchObject({ mode: 0o640, group: 'redis', showChanges: false, backup: false });
    expect(c.graph.order.some((d) => d.id === 'redis-clients')).toBe(false); // no app on this host
  });
});
