// The dry run tells the whole truth: on one real host, chained scenarios a team meets (a fresh
// server, developers coming and going, a rotated secret, config and code changes, a broken
// setting, sshd moving port, lockouts). Per scenario: `provision --test --json` changes nothing,
// then `provision --json`, and per state (id + function) what --test said is compared with what
// the real run did; a second run changes nothing. Lockouts are refused in both, changing nothing.
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diffFingerprints, formatDiff, isEmptyDiff, type FingerprintDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { DryRunProject } from './dry-run-support.js';
import { compare, formatTally, type Tally } from './dry-run-compare.js';
import { makeDev, type Dev } from './stack-support.js';
import { tempDir } from '../support/temp.js';

// brine's own directories (bootstrap's marker, the kept agent, reports) are not the host it manages.
const OWN = /^\/var\/(lib|log|cache)\/brine(\/|$)/;
function managed(d: FingerprintDiff): FingerprintDiff {
  const keep = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !OWN.test(k)));
  return { ...d, added: keep(d.added), removed: keep(d.removed), changed: keep(d.changed) } as FingerprintDiff;
}

const secret = () => `sk-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;

describeHosts('the dry run on the shipped stack', () => {
  const env = useHosts(1, { flavour: 'bare' });
  let p: DryRunProject;
  let ana: Dev; // provisions after the first run (sudo)
  let bo: Dev; // no sudo, later absent
  let cy: Dev; // joins without sudo
  let dee: Dev; // joins with sudo
  const tallies: string[] = [];

  beforeAll(async () => {
    const keys = tempDir('brine-dryrun-keys-');
    [ana, bo, cy, dee] = await Promise.all(['ana', 'bo', 'cy', 'dee'].map((n) => makeDev(keys, n)));
    p = new DryRunProject(env.hosts[0]);
    p.devs([{ dev: ana, sudo: true }, { dev: bo, sudo: false }]);
    p.write('pillar/staging/secrets.yaml', `SECRET_KEY: ${secret()}\n`);
  });
  afterAll(() => {
    console.log(`dry run, per scenario:\n  ${tallies.join('\n  ')}`);
    p?.cleanup();
  });

  /** --test changes nothing; the real run does what it said; a second run has nothing left. */
  async function scenario(name: string, o: { exactAtLeast?: number; fails?: boolean; applied?: () => void } = {}): Promise<Tally> {
    const before = await p.fingerprint();
    const test = await p.provision('--test');
    const d = managed(diffFingerprints(before, await p.fingerprint()));
    expect(isEmptyDiff(d), `${name}: --test changed the host:\n${formatDiff(d)}`).toBe(true);
    expect(test.report, `${name}: ${test.out}`).toBeDefined();
    expect(test.code, test.out).toBe(o.fails ? 1 : 2);
    const real = await p.provision();
    expect(real.code, `${name}: ${real.out}`).toBe(o.fails ? 1 : 0);
    o.applied?.();
    const t = compare(test.report!, real.report!);
    tallies.push(formatTally(name, t));
    expect({ mispredicted: t.mispredicted, changedNotPredicted: t.changedNotPredicted, predictedUnchanged: t.predictedUnchanged }, formatTally(name, t)).toEqual({
      mispredicted: 0,
      changedNotPredicted: 0,
      predictedUnchanged: 0,
    });
    expect(t.exact / t.moved, formatTally(name, t)).toBeGreaterThanOrEqual(o.exactAtLeast ?? 1);
    if (!o.fails) {
      const again = await p.provision();
      expect(again.code, again.out).toBe(0);
      expect(again.report!.summary.changed, again.out).toBe(0);
    }
    return t;
  }

  /** A refused run: exit 1 naming the rule, in --test and apply, the host untouched and reachable. */
  async function refused(name: string, rule: RegExp): Promise<void> {
    const before = await p.fingerprint();
    for (const args of [['--test'], []]) {
      const r = await p.provision(...args);
      expect(r.code, r.out).toBe(1);
      expect(r.report?.refused ?? r.error, r.out).toMatch(rule);
    }
    // brine's run log records the refused run; nothing else may change.
    const d = managed(diffFingerprints(before, await p.fingerprint()));
    expect(isEmptyDiff(d), `${name}: a refused run changed the host:\n${formatDiff(d)}`).toBe(true);
    expect(await logsIn(ana), `${name}: ana can no longer log in`).toBe(true);
    tallies.push(`${name}: refused (${rule.source})`);
  }

  const logsIn = async (dev: Dev, port = p.port) => {
    const r = await execa('ssh', ['-F', env.hosts[0].sshConfigFile, '-p', String(port), '-l', dev.name, '-i', dev.key, env.hosts[0].address, 'true'], { reject: false, timeout: 20_000 });
    return r.exitCode === 0;
  };

  it('predicts a fresh server as root, then routine changes exactly, as a developer', { timeout: 1_200_000 }, async () => {
    const h = env.hosts[0];
    // What runs brine (node, rsync) is there first, so --test's bootstrap has nothing to install.
    await h.sshOk(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', 'nodejs', 'rsync']);
    // What the packages bring (sudoers.d, ufw's files, nginx's config and unit) is unknown until
    // they are installed: those states are pending with that reason. The rest is exact.
    // What the packages ship is read from their .debs; what their maintainer scripts make (the
    // postgresql cluster, nginx's default site link, redis's group, the services they start) is
    // pending with that package's name: 70 of 79 exact when measured, the rest all such.
    await scenario('fresh host (root)', { exactAtLeast: 0.9, applied: () => (p.as = ana) });
    // Root login is off now: -u root is told whom to log in as, not "unreachable".
    const root = await execaRoot();
    expect(root.code).toBe(1);
    expect(root.error).toMatch(/root login refused by .* \(brine turned it off\); provision as a developer: -u NAME/);

    p.devs([{ dev: ana, sudo: true }, { dev: bo, sudo: false }, { dev: cy, sudo: false }]);
    await scenario('add a developer (no sudo)');
    expect(await logsIn(cy)).toBe(true);
    p.devs([{ dev: ana, sudo: true }, { dev: bo, sudo: false }, { dev: cy, sudo: false }, { dev: dee, sudo: true }]);
    await scenario('add a developer with sudo');
    p.devs([{ dev: ana, sudo: true }, { dev: cy, sudo: false }, { dev: dee, sudo: true }], ['bo']);
    await scenario('move a developer to devs_absent');
    expect(await logsIn(bo)).toBe(false);
    p.write('pillar/staging/secrets.yaml', `SECRET_KEY: ${secret()}\n`);
    await scenario('rotate a secret');
    p.env('nginx:\n  settings: {client_max_body_size: 20m}\n');
    await scenario('an nginx setting');
    p.write('example/hello/views.py', `${p.read('example/hello/views.py')}\n# a change in the app's code\n`);
    await scenario('an app code change');
    p.env('nginx:\n  settings: {client_max_body_size: 10q}\n');
    await scenario('a broken nginx setting', { fails: true });
    p.env('nginx:\n  settings: {client_max_body_size: 20m}\n');
    expect((await p.provision()).code).toBe(0);
  });

  async function execaRoot() {
    const saved = p.as;
    p.as = undefined;
    try {
      return await p.provision();
    } finally {
      p.as = saved;
    }
  }

  it('refuses lockouts in --test and apply, changing nothing; allows sshd on a new port with its firewall rule', { timeout: 900_000 }, async () => {
    const settings = (s: string, allow = '') => p.env(`nginx:\n  settings: {client_max_body_size: 20m}\nsshd:\n  settings: {${s}}\n${allow}`);
    settings('Port: 2222');
    await refused('sshd port change without a firewall rule', /sshd would listen on 2222\/tcp, which ufw .* would not let in/);

    p.write('pillar/staging/env.yaml', p.read('pillar/staging/env.yaml').replace('firewall:\n  allow: []\n', 'firewall:\n  allow: [2222]\n'));
    await scenarioOnNewPort();
    expect(await logsIn(ana, 2222)).toBe(true);

    // ana loses sudo while provisioning as ana: do it as dee instead.
    p.devs([{ dev: ana, sudo: false }, { dev: cy, sudo: false }, { dev: dee, sudo: true }], ['bo']);
    await refused("removing the provisioning user's sudo", /ana would lose passwordless sudo, and brine is provisioning as ana: provision as another developer with sudo \(-u dee\)/);
    p.devs([{ dev: ana, sudo: true }, { dev: cy, sudo: false }, { dev: dee, sudo: true }], ['bo']);

    const conf = p.read('states/sshd/files/10-brine.conf');
    p.write('states/sshd/files/10-brine.conf', conf.replace('AllowGroups sshusers', 'AllowGroups nobody-at-all'));
    await refused('AllowGroups excluding everyone', /sshd would refuse ana: AllowGroups nobody-at-all/);
    p.write('states/sshd/files/10-brine.conf', conf);
  });

  async function scenarioOnNewPort(): Promise<void> {
    const before = await p.fingerprint();
    const test = await p.provision('--test');
    expect(isEmptyDiff(managed(diffFingerprints(before, await p.fingerprint())))).toBe(true);
    expect(test.code, test.out).toBe(2);
    const real = await p.provision();
    expect(real.code, real.out).toBe(0);
    const t = compare(test.report!, real.report!);
    tallies.push(formatTally('sshd port change with its firewall rule', t));
    expect(t.exact, formatTally('sshd port', t)).toBe(t.moved);
    p.port = 2222;
    const again = await p.provision();
    expect(again.report?.summary.changed, again.out).toBe(0);
  }
});
