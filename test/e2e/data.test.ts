// The app's data on a real Debian host (roles web, db and cache on one bare host): PostgreSQL and
// Redis from the shipped states, the example app writing and reading through DATABASE_URL and
// REDIS_URL, the backup unit started by hand (a dump locally and on a second host acting as the
// offsite target), the documented restore, and a password-bearing role that never shows its
// password anywhere.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { brine, watchPs } from './provision-support.js';
import { StackProject, curl, makeDev, type Dev } from './stack-support.js';
import type { Report } from '../../src/apply/report-types.js';
import { verifies } from '../../src/resources/postgres/scram.js';

const random = (prefix: string) => `${prefix}-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 20)}`;
const SECRET = random('sk');
const DB_PASSWORD = random('dbpw');
const REDIS_PASSWORD = random('rdpw');
const ROW = random('row');
/** The offsite host as the backup script reaches it: an ssh_config alias (see beforeAll). */
const OFFSITE = 'keeper@offsite:/srv/backups/hello';

describeHosts('the app\'s data: postgres, redis, backups', () => {
  // th A: the app with its database and cache; th B: the offsite backup target.
  const env = useHosts(2, { flavour: 'bare' });
  let p: StackProject;
  let ann: Dev;
  let offsiteKey: Dev;
  let keys: string;
  let tunnel: ResultPromise | undefined;
  const url = (path: string) => `https://${env.hosts[0].address}${path}`;
  // The offsite copy reaches the second host through a reverse tunnel over the app host's sshd
  // (test hosts cannot reach each other): the hardened sshd allows remote forwards for this test.
  const envYaml = (extra = '') =>
    `environment: staging\ndomain: staging.brine.test\nhosts: []\nfirewall:\n  allow: []\napp:\n  data_dirs: [media]\nbackups:\n  keep: 1\n  offsite: ${OFFSITE}\nsshd:\n  settings: {AllowTcpForwarding: remote}\n${extra}`;
  const secrets = (extra = '') => `SECRET_KEY: ${SECRET}\nbackups:\n  ssh_key: |\n${offsiteKeyText.replace(/^/gm, '    ')}\n${extra}`;
  let offsiteKeyText = '';

  beforeAll(async () => {
    const [h, o] = env.hosts;
    keys = mkdtempSync(join(tmpdir(), 'brine-data-keys-'));
    [ann, offsiteKey] = await Promise.all([makeDev(keys, 'ann'), makeDev(keys, 'offsite')]);
    offsiteKeyText = (await execa('cat', [offsiteKey.key])).stdout.trim();
    p = new StackProject(h);
    p.roles = ['web', 'db', 'cache'];
    p.devs([{ dev: ann, sudo: true }]);
    p.write('pillar/staging/env.yaml', envYaml());
    p.write('pillar/staging/secrets.yaml', secrets());
    const install = (pkgs: string[]) => ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', ...pkgs];
    await Promise.all([h.sshOk(install(['nodejs', 'rsync'])), o.sshOk(install(['rsync']))]);
    // The offsite target: an unprivileged account that accepts the backup key.
    await o.sshOk(['sh', '-ec', 'useradd -m keeper; install -d -o keeper -m 700 /home/keeper/.ssh /srv/backups /srv/backups/hello; cat >/home/keeper/.ssh/authorized_keys; chown keeper /home/keeper/.ssh/authorized_keys'], { input: offsiteKey.pub + '\n' });
    // Test hosts cannot reach each other (nothing is routed between their bridges), so the
    // backup's SSH goes to a port on the app host that this machine forwards to the second
    // host's sshd; root's ssh_config names it `offsite`. A real offsite host needs none of this.
    await h.sshOk(['sh', '-ec', 'install -d -m 700 /root/.ssh; printf "Host offsite\\n  HostName 127.0.0.1\\n  Port 2222\\n" >/root/.ssh/config']);
  });
  afterAll(async () => {
    tunnel?.kill();
    await tunnel?.catch(() => undefined);
    p?.cleanup();
    if (keys) rmSync(keys, { recursive: true, force: true });
  });

  it('--test on the fresh host predicts the role and database (pending until postgresql is installed); apply converges; the app writes and reads a row and a key; the second run changes nothing', async () => {
    const dry = await p.brine('--test', '--json');
    expect(dry.exitCode, dry.stderr).toBe(2);
    const planned = (JSON.parse(dry.stdout) as Report).states.filter((s) => s.function.startsWith('postgres_'));
    expect(planned.map((s) => [s.function, s.name, s.result, s.comment, s.changes.map((c) => c.summary)])).toEqual([
      ['postgres_user.present', 'hello', 'pending', 'depends on postgresql (pending); cannot plan yet: unknown until postgresql is installed', ['create role hello (login)']],
      ['postgres_database.present', 'hello', 'pending', 'depends on postgres-role (pending); cannot plan yet: unknown until postgresql is installed', ['create database hello (owner hello, UTF8, collate C.UTF-8, ctype C.UTF-8, from template0)']],
    ]);

    const first = await p.brine();
    p.admin = ann; // root's SSH login is off from here on
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const second = await p.brine();
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/Succeeded: \d+ \(changed=0\)\s+Failed: 0/);
    console.log(`data: first converge ${first.ms} ms, no-op ${second.ms} ms (web, db, cache on one host)`);

    // Unix sockets only: nothing listens on 5432 or 6379; peer authentication, no password.
    const listening = (await p.root(['ss', '-Hltn'])).stdout;
    expect(listening).not.toMatch(/:(5432|6379)\b/);
    expect((await p.root(['cat', '/etc/hello/env'])).stdout).toContain('DATABASE_URL="postgres://%2Frun%2Fpostgresql/hello"\nREDIS_URL="unix:///run/redis/redis-server.sock"\n');

    const post = (path: string, body: string) => curl(url(path), ['-X', 'POST', '--data-binary', body, '-H', 'Content-Type: text/plain']);
    expect(JSON.parse((await post('/db', ROW)).body)).toEqual({ notes: [ROW] });
    expect(JSON.parse((await curl(url('/db'))).body)).toEqual({ notes: [ROW] });
    expect(JSON.parse((await post('/cache', ROW)).body)).toEqual({ value: ROW });
    expect(JSON.parse((await curl(url('/cache'))).body)).toEqual({ value: ROW });
  }, 600_000); // installs postgresql, redis, nginx… offline: ~2.5 min alone on 2 cores

  it('backs up when the unit is started by hand: a dump and the data directories locally and offsite, the result in systemctl and brine history; the documented restore brings a dropped database back', async () => {
    const [h, o] = env.hosts;
    await p.root(['sh', '-ec', 'echo uploaded >/var/lib/hello/upload.txt']);
    tunnel = execa('ssh', ['-F', h.sshConfigFile, '-l', ann.name, '-i', ann.key, '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `2222:${o.address}:22`, h.name]);
    tunnel.catch(() => undefined);
    await p.root(['sh', '-c', 'for i in $(seq 100); do ss -Hltn | grep -q 127.0.0.1:2222 && exit 0; sleep 0.1; done; exit 1']);

    const backup = async () => {
      const r = await p.root(['systemctl', 'start', 'hello-backup.service'], { timeout: 120_000 });
      return { ...r, journal: r.exitCode ? (await p.root(['journalctl', '-u', 'hello-backup', '--no-pager'])).stdout : '' };
    };
    const history = async () => {
      const r = await brine(['history', 'staging', '-n', '1', '-H', h.address, '-u', ann.name, '-i', ann.key, '-F', h.sshConfigFile, '--dir', p.dir]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const listing = async (host: 'local' | 'offsite') =>
      (host === 'local' ? (await p.root(['ls', '/var/backups/hello'])).stdout : await o.sshOk(['ls', '/srv/backups/hello'])).split('\n').filter(Boolean);

    const first = await backup();
    expect(first.exitCode, first.stderr + first.journal).toBe(0);
    const local = await listing('local');
    expect(local).toEqual([expect.stringMatching(/^hello-\d{8}T\d{6}Z-files\.tar\.gz$/), expect.stringMatching(/^hello-\d{8}T\d{6}Z\.dump$/)]);
    expect(await listing('offsite')).toEqual(local);
    const archived = (await p.root(['tar', '-tzf', `/var/backups/hello/${local[0]}`])).stdout.split('\n');
    // /var/lib/hello as a whole: the data directories and the example app's own SQLite (its /notes).
    expect(archived).toEqual(expect.arrayContaining(['var/lib/hello/upload.txt', 'var/lib/hello/media/', 'var/lib/hello/db.sqlite3']));
    expect((await p.root(['stat', '-c', '%a %U', '/var/backups/hello', `/var/backups/hello/${local[1]}`])).stdout).toBe('700 root\n600 root\n');

    // backups.keep is 1: the next run replaces the local pair; the offsite copy keeps both.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await backup();
    expect(second.exitCode, second.stderr + second.journal).toBe(0);
    const newer = await listing('local');
    expect(newer).toHaveLength(2);
    expect(newer.some((f) => local.includes(f))).toBe(false);
    expect((await listing('offsite')).sort()).toEqual([...local, ...newer].sort());

    const shown = (await p.root(['systemctl', 'show', '-p', 'Result,ExecMainStatus', 'hello-backup.service'])).stdout;
    expect(shown).toMatch(/^Result=success$/m);
    expect(shown).toMatch(/^ExecMainStatus=0$/m);
    expect((await p.root(['systemctl', 'is-enabled', 'hello-backup.timer'])).stdout.trim()).toBe('enabled');
    expect(await history()).toMatch(/ ok {2}hello-backup\.service .*\[backups\]\n {4}hello-\d{8}T\d{6}Z\.dump \(\d+ KiB\) hello-\d{8}T\d{6}Z-files\.tar\.gz \(\d+ KiB\), copied offsite$/m);

    // A lost database: dropped, the app cannot read it; the documented restore brings the row back.
    await p.root(['runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-d', 'postgres', '-c', 'DROP DATABASE hello WITH (FORCE)']);
    expect((await curl(url('/db'), ['-o', '/dev/null', '-w', '%{http_code}'])).body).toBe('500');
    const restore = await p.root(['/usr/local/sbin/hello-restore']);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stdout).toBe(`restoring database hello from /var/backups/hello/${newer[1]}\nrestored\n`);
    expect(JSON.parse((await curl(url('/db'))).body)).toEqual({ notes: [ROW] });
    expect((await p.brine()).stdout).toMatch(/Succeeded: \d+ \(changed=0\)\s+Failed: 0/);

    // The offsite host out of reach: the unit fails, and says where, in systemctl and history.
    tunnel.kill();
    await tunnel.catch(() => undefined);
    tunnel = undefined;
    const failed = await backup();
    expect(failed.exitCode).not.toBe(0);
    expect((await p.root(['systemctl', 'show', '-p', 'Result', 'hello-backup.service'])).stdout).toBe('Result=exit-code\n');
    expect(await history()).toMatch(/ failed {2}hello-backup\.service .*\[backups\]\n {4}backup failed \(exit-code, exit \d+\) during: offsite copy; see journalctl -u hello-backup$/m);
  });

  it('a password-bearing role (db.host set) and redis with requirepass: the app logs in over TCP; the passwords are never in --test, apply output, --json, the run log or ps', async () => {
    const h = env.hosts[0];
    p.write('pillar/staging/env.yaml', envYaml(`db:\n  host: ${h.address}\n`).replace('hosts: []', `hosts:\n  - {address: ${h.address}, roles: [web, db, cache]}`));
    p.write('pillar/staging/secrets.yaml', secrets(`db:\n  password: ${DB_PASSWORD}\nDATABASE_URL: postgres://hello:${DB_PASSWORD}@${h.address}:5432/hello\nredis:\n  password: ${REDIS_PASSWORD}\nREDIS_URL: redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0\n`));
    const ps = watchPs(h, (argv) => p.as(ann, argv, { timeout: 10_000 }));
    const dry = await p.brine('--test');
    expect(dry.exitCode, dry.stdout).toBe(2);
    expect(dry.stdout).toMatch(/postgres_user\.present[\s\S]*role hello: set password/);
    const json = await p.brine('--test', '--json');
    expect((JSON.parse(json.stdout) as Report).states.find((s) => s.id === 'postgres-role')?.changes.map((c) => c.detail)).toEqual([{ password: 'changed' }]);
    const applied = await p.brine();
    expect(applied.exitCode, applied.stdout).toBe(0);
    const again = await p.brine('--json');
    expect(again.exitCode).toBe(0);
    expect((JSON.parse(again.stdout) as Report).summary.changed).toBe(0);
    const seen = await ps.stop();

    expect((await p.root(['ss', '-Hltn'])).stdout).toMatch(/:5432\b/);
    expect(JSON.parse((await curl(url('/db'))).body)).toEqual({ notes: [ROW] });
    expect((await p.root(['ss', '-Hltn'])).stdout).toMatch(/127\.0\.0\.1:6379\b/);
    expect(JSON.parse((await curl(url('/cache'))).body)).toEqual({ value: ROW }); // redis kept its data across the restart
    expect((await p.root(['redis-cli', '-h', '127.0.0.1', 'get', 'brine-example'])).stdout).toMatch(/NOAUTH/);
    expect((await p.root(['ufw', 'status'])).stdout).toMatch(new RegExp(`5432/tcp\\s+ALLOW\\s+${h.address.replace(/\./g, '\\.')}\\b`));

    for (const out of p.outputs) for (const pw of [DB_PASSWORD, REDIS_PASSWORD]) expect(out).not.toContain(pw);
    expect(seen.filter((l) => l.includes(DB_PASSWORD) || l.includes(REDIS_PASSWORD))).toEqual([]);
    expect(seen.some((l) => l.includes('brine.js apply'))).toBe(true); // the watcher did see the runs
    // Patterns on stdin (sudo logs command lines): not in the run log, the journal or anything nobody may read.
    const both = `${DB_PASSWORD}\n${REDIS_PASSWORD}\n`;
    expect((await p.root(['grep', '-cF', '-f', '/dev/stdin', '/var/log/brine/runs.jsonl'], { input: both })).stdout.trim()).toBe('0');
    expect((await p.root(['sh', '-c', 'journalctl --no-pager -o verbose | grep -cF -f /dev/stdin || true'], { input: both })).stdout.trim()).toBe('0');
  });

  it('checks a password against a verifier PostgreSQL made itself (what makes an unchanged password no change)', async () => {
    const made = await p.root(['runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-A', '-t', '-d', 'postgres', '-f', '-'], {
      input: "CREATE ROLE brine_scram_check PASSWORD 'pencil-0123';\nSELECT rolpassword FROM pg_authid WHERE rolname = 'brine_scram_check';\nDROP ROLE brine_scram_check;\n",
    });
    const verifier = made.stdout.trim();
    expect(verifier, made.stderr).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(verifies(verifier, 'pencil-0123')).toBe(true);
    expect(verifies(verifier, 'pencil-0124')).toBe(false);
  });
});
