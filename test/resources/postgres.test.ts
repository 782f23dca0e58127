// postgres_user and postgres_database against a fake host whose psql answers with a catalog:
// one catalog read per run, SQL only on stdin, the password never in argv, SQL or output.
import { describe, expect, it } from 'vitest';
import { FakeHost } from '../support/fake-host.js';
import { compileStates, results, run } from '../support/project.js';
import { parseCatalog } from '../../src/resources/postgres/catalog.js';
import { scramVerifier, verifies } from '../../src/resources/postgres/scram.js';
import { applyAll, planOne } from './accounts-fixtures.js';
import { dpkgStatus, SystemHost } from './system-host.js';

const PASSWORD = 'pw-correct-horse-battery';
const ROLES = [
  { name: 'postgres', login: true, createdb: true, createrole: true, superuser: true, replication: true, inherit: true, password: null },
  { name: 'app', login: true, createdb: false, createrole: false, superuser: false, replication: false, inherit: true, password: scramVerifier(PASSWORD) },
];
const DATABASES = [
  { name: 'postgres', owner: 'postgres', encoding: 'UTF8', collate: 'C.UTF-8', ctype: 'C.UTF-8' },
  { name: 'template0', owner: 'postgres', encoding: 'UTF8', collate: 'C.UTF-8', ctype: 'C.UTF-8' },
  { name: 'app', owner: 'app', encoding: 'UTF8', collate: 'C.UTF-8', ctype: 'C.UTF-8' },
];

/** A host with postgresql installed; psql answers the catalog query, and records what it was fed. */
function pgHost(catalog = { roles: ROLES, databases: DATABASES }): FakeHost {
  return new FakeHost()
    .file('/usr/bin/psql', '')
    .on(['runuser'], (_argv, opts) => (opts.input?.startsWith('SELECT json_build_object') ? { exitCode: 0, stdout: JSON.stringify(catalog) + '\n' } : { exitCode: 0 }));
}

const fed = (host: FakeHost) => host.calls.filter((c) => c.op === 'exec').map((c) => (c.args[1] as { input: string }).input);
const catalogReads = (host: FakeHost) => host.calls.filter((c) => c.op === 'query').length;

describe('postgres_user', () => {
  it('creates a role with a SCRAM verifier on stdin: the password is in no argv, SQL or report', async () => {
    const host = pgHost();
    const c = compileStates(`shop:\n  postgres_user.present:\n    - password: ${PASSWORD}\n    - createdb: true\n`);
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ shop: 'pending' });
    expect(report.states[0].changes.map((ch) => ch.summary)).toEqual(['create role shop (login, createdb) with password']);
    await applyAll((await planOne(`shop:\n  postgres_user.present:\n    - password: ${PASSWORD}\n    - createdb: true\n`, host)).changes, host);
    const [sql] = fed(host);
    expect(sql).toMatch(/^CREATE ROLE "shop" WITH LOGIN CREATEDB PASSWORD 'SCRAM-SHA-256\$4096:[^']+';\n$/);
    const everything = JSON.stringify(host.calls) + JSON.stringify(report);
    expect(everything).not.toContain(PASSWORD);
    for (const call of host.calls) if (call.op === 'exec' || call.op === 'query') expect((call.args[0] as string[]).join(' ')).toBe('runuser -u postgres -- /usr/bin/psql -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres');
  });

  it('leaves a role whose stored verifier matches the password alone, reading the catalog once for several states', async () => {
    const host = pgHost();
    const c = compileStates(`app:\n  postgres_user.present:\n    - password: ${PASSWORD}\n    - login: true\n  postgres_database.present:\n    - owner: app\npostgres:\n  postgres_user.present: []\n`);
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ app: 'ok', postgres: 'ok' });
    expect(catalogReads(host)).toBe(1);
    expect(host.writes()).toEqual([]);
  });

  it('changes only what differs: attributes and a password that does not verify, in one ALTER ROLE', async () => {
    const host = pgHost();
    const c = compileStates(`app:\n  postgres_user.present:\n    - password: another-password\n    - createdb: true\n`);
    const report = await run(c, host, true);
    expect(report.states[0].changes.map((ch) => ch.summary)).toEqual(['role app: createdb false → true, change password']);
    await applyAll((await planOne('app:\n  postgres_user.present:\n    - password: another-password\n    - createdb: true\n', host)).changes, host);
    expect(report.states[0].changes[0].detail).toEqual({ createdb: { old: false, new: true }, password: 'changed' });
    expect(fed(host)[0]).toMatch(/^ALTER ROLE "app" WITH CREATEDB PASSWORD 'SCRAM-SHA-256\$/);
  });

  it('refuses to drop a role that owns a database, in the plan', async () => {
    const report = await run(compileStates('app:\n  postgres_user.absent: []\n'), pgHost(), true);
    expect(results(report)).toEqual({ app: 'failed' });
    expect(report.states[0].comment).toBe('role app owns database app: drop it or give it another owner first');
  });

  it('quotes names as identifiers and refuses names PostgreSQL would truncate', async () => {
    const host = pgHost();
    await applyAll((await planOne('"we\\"ird":\n  postgres_user.present: []\n', host)).changes, host);
    expect(fed(host)).toEqual(['CREATE ROLE "we""ird" WITH LOGIN;\n']);
    expect(() => compileStates(`${'x'.repeat(64)}:\n  postgres_user.present: []\n`)).toThrow(/longer than PostgreSQL's 63 bytes/);
    expect(() => compileStates('app:\n  postgres_user.present:\n    - db_host: elsewhere\n')).toThrow(/unknown argument for postgres_user.present/);
  });
});

describe('postgres_database', () => {
  it('creates a database with owner, encoding, locale and template', async () => {
    const host = pgHost();
    const plan = await planOne('shop:\n  postgres_database.present:\n    - owner: app\n    - encoding: UTF8\n    - lc_collate: C.UTF-8\n    - lc_ctype: C.UTF-8\n    - template: template0\n', host);
    await applyAll(plan.changes, host);
    expect(plan.changes.map((ch) => ch.summary)).toEqual(['create database shop (owner app, UTF8, collate C.UTF-8, ctype C.UTF-8, from template0)']);
    expect(fed(host)).toEqual([`CREATE DATABASE "shop" WITH OWNER "app" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE "template0";\n`]);
  });

  it('changes the owner; an encoding or locale that differs fails the plan (it cannot change in place)', async () => {
    const host = pgHost();
    const owner = await planOne('app:\n  postgres_database.present:\n    - owner: postgres\n    - encoding: utf-8\n    - lc_ctype: C.utf8\n', host);
    expect(owner.changes.map((ch) => ch.summary)).toEqual(['owner app → postgres']);
    await applyAll(owner.changes, host);
    expect(fed(host)).toEqual(['ALTER DATABASE "app" OWNER TO "postgres";\n']);
    const locale = await run(compileStates('app:\n  postgres_database.present:\n    - encoding: LATIN1\n'), pgHost(), true);
    expect(results(locale)).toEqual({ app: 'failed' });
    expect(locale.states[0].comment).toMatch(/has encoding UTF8, not LATIN1: PostgreSQL cannot change that in place/);
  });

  it('sees its owner the role state before it makes, in --test: the database it would create, exactly', async () => {
    const c = compileStates('shop:\n  postgres_user.present: []\n  postgres_database.present:\n    - owner: shop\n');
    const report = await run(c, pgHost(), true);
    expect(results(report)).toEqual({ shop: 'pending' });
    expect(report.states.map((s) => s.comment)).toEqual(['', '']);
    expect(report.states[1].changes.map((ch) => ch.summary)).toEqual(['create database shop (owner shop)']);
  });

  it('fails in --test when its owner is nowhere to come', async () => {
    const report = await run(compileStates('shop:\n  postgres_database.present:\n    - owner: shop\n'), pgHost(), true);
    expect(report.states[0]).toMatchObject({ result: 'failed', comment: 'no role shop to own database shop', changes: [] });
  });

  it('drops a database', async () => {
    const host = pgHost();
    const plan = await planOne('app:\n  postgres_database.absent: []\n', host);
    expect(plan.changes.map((ch) => ch.summary)).toEqual(['drop database app (owner app)']);
    await applyAll(plan.changes, host);
    expect(fed(host)).toEqual(['DROP DATABASE "app";\n']);
  });
});

describe('before postgresql is installed', () => {
  it('predicts the role and database in --test, pending behind the package, never ok', async () => {
    const host = new SystemHost().file('/var/lib/dpkg/status', dpkgStatus([['bash', '5.2.15-2+b8']])).aptLists().aptPolicy({ postgresql: ['15+248'] });
    const c = compileStates('postgresql:\n  pkg.installed: []\nshop:\n  postgres_user.present:\n    - password: secret-password\n    - require: [pkg: postgresql]\n  postgres_database.present:\n    - owner: shop\n    - require: [pkg: postgresql]\n');
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ postgresql: 'pending', shop: 'pending' });
    expect(report.states.slice(1).map((s) => [s.comment, s.changes.map((ch: { summary: string }) => ch.summary)])).toEqual([
      ['depends on postgresql (pending); cannot plan yet: unknown until postgresql is installed', ['create role shop (login) with password']],
      ['depends on postgresql (pending); cannot plan yet: unknown until postgresql is installed', ['create database shop (owner shop)']],
    ]);
    // psql never ran; nothing was written.
    expect(host.commands().filter((argv) => argv[0] === 'runuser')).toEqual([]);
    expect(host.writes()).toEqual([]);
  });

  it('cannot tell the catalog behind a command it cannot predict: pending with the reason, no guessed changes', async () => {
    const host = new FakeHost().on(() => ({ exitCode: 0 }));
    const c = compileStates('postgresql:\n  cmd.run:\n    - name: "true"\nshop:\n  postgres_user.present:\n    - require: [cmd: postgresql]\n');
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ postgresql: 'pending', shop: 'pending' });
    expect(report.states[1].comment).toBe('depends on postgresql (pending; "run true" is not predicted); cannot plan yet: unknown until postgresql is installed (the effects of postgresql are not predicted)');
    expect(report.states[1].changes).toEqual([]);
    expect(host.commands()).toEqual([]);
  });

  it('fails an apply with the same reason', async () => {
    const report = await run(compileStates('shop:\n  postgres_database.present: []\n'), new FakeHost(), false);
    expect(report.states[0]).toMatchObject({ result: 'failed', comment: 'unknown until postgresql is installed' });
  });
});

describe('scram verifiers', () => {
  it('verify their own password only, and never an md5 hash', () => {
    const v = scramVerifier('pencil');
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    expect(verifies(v, 'pencil')).toBe(true);
    expect(verifies(v, 'pencil2')).toBe(false);
    expect(verifies('md5' + 'a'.repeat(32), 'pencil')).toBe(false);
    expect(verifies(null, 'pencil')).toBe(false);
  });

  it('parse the catalog psql prints', () => {
    const c = parseCatalog(JSON.stringify({ roles: ROLES, databases: DATABASES }) + '\n');
    expect([...c.roles.keys()]).toEqual(['postgres', 'app']);
    expect(c.databases.get('app')?.owner).toBe('app');
  });
});
