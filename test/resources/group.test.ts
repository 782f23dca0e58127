import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/core/errors.js';
import { compileStates, results, run } from '../support/project.js';
import { accountsHost, applyAll, planOne } from './accounts-fixtures.js';

describe('group.present', () => {
  it('creates a missing group with gid and -r, reading only /etc/group and /etc/passwd', async () => {
    const host = accountsHost();
    const plan = await planOne('ops:\n  group.present:\n    - gid: 3000\n    - system: true\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['create group ops (gid 3000)']);
    expect(host.writes()).toEqual([]);
    expect(host.commands()).toEqual([]);
    expect(await applyAll(plan.changes, host)).toEqual([['groupadd', '-r', '-g', '3000', 'ops']]);
  });

  it('is a no-op when the group is as declared', async () => {
    const host = accountsHost();
    const plan = await planOne('sudo:\n  group.present:\n    - gid: 27\n    - members: [alice, bob]\n', host);
    expect(plan.changes).toEqual([]);
    expect(host.commands()).toEqual([]);
  });

  it('changes a gid with groupmod', async () => {
    const host = accountsHost();
    const plan = await planOne('deploy:\n  group.present:\n    - gid: 2001\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['gid 2000 → 2001']);
    expect(await applyAll(plan.changes, host)).toEqual([['groupmod', '-g', '2001', 'deploy']]);
  });

  it('finds a gid collision in the plan, so --test fails exactly as apply would', async () => {
    const host = accountsHost();
    const c = compileStates('ops:\n  group.present:\n    - gid: 27\n');
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ ops: 'failed' });
    expect(report.states[0].comment).toBe("gid 27 is already used by group 'sudo'");
    expect(host.writes()).toEqual([]);
  });

  it('sets an exact member list with one gpasswd -M', async () => {
    const host = accountsHost();
    const plan = await planOne('sudo:\n  group.present:\n    - members: [bob, www-data]\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['members +www-data -alice']);
    expect(await applyAll(plan.changes, host)).toEqual([['gpasswd', '-M', 'bob,www-data', 'sudo']]);
  });

  it('adds and removes single members with addusers/delusers', async () => {
    const host = accountsHost();
    const plan = await planOne('sudo:\n  group.present:\n    - addusers: [www-data, alice]\n    - delusers: [bob]\n', host);
    expect(plan.changes.map((c) => c.summary)).toEqual(['members +www-data -bob']);
    expect(await applyAll(plan.changes, host)).toEqual([['gpasswd', '-M', 'alice,www-data', 'sudo']]);
  });

  it('reports members that do not exist as missing (an earlier state may create them)', async () => {
    const host = accountsHost();
    const c = compileStates('new-user:\n  cmd.run:\n    - name: "true"\nops:\n  group.present:\n    - members: [carol]\n');
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ 'new-user': 'pending', ops: 'pending' });
    expect(report.states[1].comment).toBe("cannot plan yet: no such user: 'carol' (the effects of new-user are not predicted)");
  });

  it('shows in --test the members a user state earlier in the run will be, and fails members nobody creates', async () => {
    const host = accountsHost();
    const c = compileStates('carol:\n  user.present: []\nops:\n  group.present:\n    - members: [carol]\nmore:\n  group.present:\n    - members: [dora]\n');
    const report = await run(c, host, true);
    expect(results(report)).toEqual({ carol: 'pending', ops: 'pending', more: 'failed' });
    expect(report.states[1].changes.map((ch) => ch.summary)).toEqual(['create group ops', 'members +carol']);
    expect(report.states[2].comment).toBe("no such user: 'dora'");
    expect(host.writes()).toEqual([]);
  });

  it('rejects names that could read as options, and members with addusers', () => {
    expect(() => compileStates('"-r":\n  group.present: []\n')).toThrow(/states\/main.yaml:2: state '-r', field 'name': not a valid user or group name/);
    expect(() => compileStates('g:\n  group.present:\n    - members: [a]\n    - addusers: [b]\n')).toThrow(SpecError);
  });
});

describe('group.absent', () => {
  it('removes a group with groupdel, and does nothing when it is gone', async () => {
    const host = accountsHost();
    const plan = await planOne('deploy:\n  group.absent: []\n', host);
    expect(await applyAll(plan.changes, host)).toEqual([['groupdel', 'deploy']]);
    expect((await planOne('nosuch:\n  group.absent: []\n', accountsHost())).changes).toEqual([]);
  });

  it("refuses in the plan to remove a user's primary group", async () => {
    await expect(planOne('bob:\n  group.absent: []\n', accountsHost())).rejects.toThrow("primary group of user 'bob'");
  });
});
