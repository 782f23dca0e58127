// The lockout guard: with root login off and only the login group let in, someone with a key
// and sudo must remain. It is checked while compiling, so nothing runs — not even --test.
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, DEV_KEY, compileStack, devsYaml, problemsOf, shipped } from './support.js';

const guardProblem = expect.objectContaining({
  file: 'states/users/init.yaml',
  line: expect.any(Number),
  message: expect.stringMatching(/lockout guard: no developer in pillar\/devs.yaml has both `sudo: true` and a public key/),
});

describe('lockout guard', () => {
  it.each([
    ['nobody has sudo', devsYaml({ ann: { keys: [ADMIN_KEY] }, bo: { keys: [DEV_KEY], sudo: false } })],
    ['the only admin has no key', devsYaml({ ann: { keys: [], sudo: true }, bo: { keys: [DEV_KEY] } })],
    ['there are no developers', 'devs: {}\ndevs_absent: []\n'],
  ])('refuses when %s', (_why, devs) => {
    expect(problemsOf(() => compileStack(shipped({ 'pillar/devs.yaml': devs })))).toEqual([guardProblem]);
  });

  it('refuses when the last admin moves to devs_absent without leaving devs', () => {
    const ps = problemsOf(() => compileStack(shipped({ 'pillar/devs.yaml': devsYaml({ ann: { keys: [ADMIN_KEY], sudo: true } }, ['ann']) })));
    expect(ps).toEqual([expect.objectContaining({ file: 'states/users/init.yaml', message: expect.stringContaining("'ann' is listed both in devs and in devs_absent") })]);
  });

  it('also guards `brine apply sshd` alone (sshd includes users)', () => {
    const devs = devsYaml({ bo: { keys: [DEV_KEY] } });
    expect(problemsOf(() => compileStack(shipped({ 'pillar/devs.yaml': devs }), undefined, ['sshd']))).toEqual([guardProblem]);
    const ok = compileStack(shipped(), undefined, ['sshd']);
    expect(ok.sls).toEqual(['sshd', 'users']);
  });

  it('lets one admin with a key through, whatever the others', () => {
    const c = compileStack(shipped({ 'pillar/devs.yaml': devsYaml({ ann: { keys: [ADMIN_KEY], sudo: true }, bo: { keys: [] } }, ['cy']) }));
    expect(c.graph.order.length).toBeGreaterThan(20);
  });
});
