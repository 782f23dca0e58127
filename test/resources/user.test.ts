import { describe, expect, it } from 'vitest';
import { parseShadow } from '../../src/resources/accounts/passwd.js';
import { compileStates, results, run } from '../support/project.js';
import { accountsHost, applyAll, planOne } from './accounts-fixtures.js';

const state = (args: string) => `carol:\n  user.present:\n${args}`;

describe('user.present: a new user', () => {
  it('creates it with one useradd, with its own group and a home (Debian behaviour)', async () => {
    const host = accountsHost();
    const plan = await planOne(state('    - uid: 1500\n    - shell: /bin/bash\n    - fullname: Carol C\n    - groups: [sudo, deploy]\n'), host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['create user carol (uid 1500, group carol (new), home /home/carol, groups sudo,deploy)']);
    expect(host.writes()).toEqual([]);
    expect(host.commands()).toEqual([]);
    expect(await applyAll(plan.changes, host)).toEqual([
      ['useradd', '-u', '1500', '-U', '-G', 'sudo,deploy', '-d', '/home/carol', '-m', '-s', '/bin/bash', '-c', 'Carol C', 'carol'],
    ]);
  });

  it('uses an existing group of the same name, -r for system users, -M without createhome', async () => {
    const plan = await planOne('deploy:\n  user.present:\n    - system: true\n    - home: /srv/deploy\n    - createhome: false\n', accountsHost());
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['useradd', '-r', '-g', 'deploy', '-d', '/srv/deploy', '-M', 'deploy']]);
  });

  it('creates a locked user already expired, so no key can log in', async () => {
    const plan = await planOne(state('    - gid: www-data\n    - locked: true\n'), accountsHost());
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['useradd', '-g', 'www-data', '-d', '/home/carol', '-m', '-e', '1', 'carol']]);
  });

  it('finds a uid collision in the plan, so --test reports it failed', async () => {
    const host = accountsHost();
    const report = await run(compileStates(state('    - uid: 1001\n')), host, true);
    expect(results(report)).toEqual({ carol: 'failed' });
    expect(report.states[0].comment).toBe("uid 1001 is already used by user 'bob'");
  });

  it('reports missing groups as missing (an earlier state may create them), optional ones as skipped', async () => {
    await expect(planOne(state('    - groups: [sudo, docker, wheel]\n'), accountsHost())).rejects.toThrow("no such group: 'docker', 'wheel'");
    await expect(planOne(state('    - gid: docker\n'), accountsHost())).rejects.toThrow("no such group: 'docker'");
    const plan = await planOne(state('    - groups: [adm]\n    - optional_groups: [docker, sudo]\n'), accountsHost());
    expect(plan.comment).toBe('optional groups not present: docker');
    expect(plan.changes[0].summary).toContain('groups adm,sudo');
  });

  it('is pending in --test when the group comes from an earlier pending state', async () => {
    const c = compileStates('docker:\n  group.present: []\ncarol:\n  user.present:\n    - groups: [docker]\n');
    const host = accountsHost();
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ docker: 'pending', carol: 'pending' });
    // It still says what it would do once the group is there.
    expect(report.states[1].changes.map((ch) => ch.summary)).toEqual(['create user carol (group carol (new), home /home/carol, groups docker)']);
    expect(report.states[1].comment).toBe('');
    expect(host.writes()).toEqual([]);
  });

  it('fails in --test when no earlier state can provide the missing group', async () => {
    const report = await run(compileStates(state('    - groups: [docker]\n')), accountsHost(), true);
    expect(results(report)).toEqual({ carol: 'failed' });
    expect(report.states[0].comment).toBe("no such group: 'docker'");
  });
});

describe('user.present: an existing user', () => {
  it('reads only files and changes nothing when all is as declared', async () => {
    const host = accountsHost();
    const plan = await planOne(
      'alice:\n  user.present:\n    - uid: 1000\n    - gid: alice\n    - home: /home/alice\n    - shell: /bin/bash\n    - fullname: Alice Liddell\n    - groups: [adm, sudo, alice]\n    - locked: false\n',
      host,
    );
    expect(plan.changes).toEqual([]);
    expect(host.commands()).toEqual([]);
    expect(host.calls.map((c) => c.args[0])).toEqual(['/etc/passwd', '/etc/group', '/etc/shadow', '/home/alice']);
  });

  it('puts every difference into one usermod, keeping the rest of GECOS', async () => {
    const host = accountsHost();
    const plan = await planOne('alice:\n  user.present:\n    - shell: /bin/zsh\n    - fullname: Alice L\n    - home: /srv/alice\n    - groups: [sudo, deploy]\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual([
      'home /home/alice → /srv/alice; shell /bin/bash → /bin/zsh; fullname "Alice Liddell" → "Alice L"; groups +deploy -adm',
      'create home /srv/alice',
    ]);
    expect(await applyAll(plan.changes, host)).toEqual([['usermod', '-d', '/srv/alice', '-s', '/bin/zsh', '-c', 'Alice L,Room 1,,', '-G', 'sudo,deploy', 'alice']]);
    expect(host.fs.get('/srv/alice')).toMatchObject({ type: 'directory', mode: 0o700, uid: 1000, gid: 1000 });
  });

  it('only adds groups with remove_groups: false', async () => {
    const plan = await planOne('bob:\n  user.present:\n    - groups: [adm]\n    - remove_groups: false\n', accountsHost());
    expect(plan.changes.map((c) => c.summary)).toEqual(['groups +adm']);
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['usermod', '-a', '-G', 'adm', 'bob']]);
  });

  it('clears supplementary groups with groups: []', async () => {
    const plan = await planOne('alice:\n  user.present:\n    - groups: []\n', accountsHost());
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['usermod', '-G', '', 'alice']]);
  });

  it('refuses uid and gid changes unless allowed (file ownership would not follow)', async () => {
    await expect(planOne('alice:\n  user.present:\n    - uid: 1400\n', accountsHost())).rejects.toThrow('set allow_uid_change: true');
    await expect(planOne('alice:\n  user.present:\n    - gid: deploy\n', accountsHost())).rejects.toThrow('set allow_gid_change: true');
    const plan = await planOne('alice:\n  user.present:\n    - uid: 1400\n    - gid: 2000\n    - allow_uid_change: true\n    - allow_gid_change: true\n', accountsHost());
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['usermod', '-u', '1400', '-g', '2000', 'alice']]);
  });

  it('locks with a locked password and expiry 1, unlocks by clearing both', async () => {
    const lock = await planOne('alice:\n  user.present:\n    - locked: true\n', accountsHost());
    expect(lock.changes.map((c) => c.summary)).toEqual(['lock password; expire account (no logins, keys included)']);
    expect(await applyAll(lock.changes, accountsHost())).toEqual([['usermod', '-L', '-e', '1', 'alice']]);

    const host = accountsHost().file('/etc/shadow', 'alice:!$y$hash:19000:0:99999:7::1:\nbob:!:19000:0:99999:7::1:\n');
    expect(await applyAll((await planOne('alice:\n  user.present:\n    - locked: false\n', host)).changes, host)).toEqual([['usermod', '-U', '-e', '', 'alice']]);
    // bob never had a password: there is nothing to unlock, only the expiry to clear.
    expect(await applyAll((await planOne('bob:\n  user.present:\n    - locked: false\n', host)).changes, host)).toEqual([['usermod', '-e', '', 'bob']]);
    expect((await planOne('bob:\n  user.present:\n    - locked: true\n', host)).changes).toEqual([]);
  });

  it('never reads /etc/shadow unless locked is declared', async () => {
    const host = accountsHost();
    await planOne('alice:\n  user.present:\n    - shell: /bin/bash\n', host);
    expect(host.calls.some((c) => c.args[0] === '/etc/shadow')).toBe(false);
  });
});

describe('user.absent', () => {
  it('runs userdel with -r for purge and -f for force, and nothing for a missing user', async () => {
    const plan = await planOne('bob:\n  user.absent:\n    - purge: true\n    - force: true\n', accountsHost());
    expect(plan.changes.map((c) => c.summary)).toEqual(['remove user bob (uid 1001, and home /home/bob)']);
    expect(await applyAll(plan.changes, accountsHost())).toEqual([['userdel', '-r', '-f', 'bob']]);
    expect((await planOne('carol:\n  user.absent: []\n', accountsHost())).changes).toEqual([]);
  });
});

describe('arguments', () => {
  it('are checked at compile time with file and line', () => {
    let message = '';
    try {
      compileStates(state('    - shell: bash\n    - fullname: "a,b"\n    - groups: [sudo, "-x"]\n    - passwd: x\n'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^4 problems:/);
    expect(message).toContain("states/main.yaml:3: state 'carol', field 'shell': must be an absolute path");
    expect(message).toContain("states/main.yaml:4: state 'carol', field 'fullname': must not contain ':', ','");
    expect(message).toContain("states/main.yaml:5: state 'carol', field 'groups': not a valid user or group name: \"-x\"");
    expect(message).toContain("states/main.yaml:6: state 'carol', field 'passwd': unknown argument for user.present");
  });
});

describe('/etc/shadow facts', () => {
  it('keep lock state and expiry, never the hash', () => {
    const [a, b, c] = parseShadow('a:$y$x:1::::::\nb:!$y$x:1:::::1:\nc:!*:1::::::\n');
    expect(a).toEqual({ name: 'a', passwordLocked: false, hasPassword: true, expire: undefined });
    expect(b).toEqual({ name: 'b', passwordLocked: true, hasPassword: true, expire: 1 });
    expect(c).toEqual({ name: 'c', passwordLocked: true, hasPassword: false, expire: undefined });
    expect(JSON.stringify([a, b, c])).not.toContain('$y$');
  });
});
