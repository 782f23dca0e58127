// `brine provision` end to end on a bare Debian host (sshd and root's key only): bootstrap,
// converge as root, re-run as the developer it created (0 changed), --test over SSH, history;
// no secret in ps or controller output, nothing of the other environment on the host.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { diffFingerprints, formatDiff, isEmptyDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { bootstrapArgs, scripts } from '../../src/provision/scripts.js';
import { brine, devKey, filesContaining, testProject, watchPs } from './provision-support.js';

const STAGING_SECRET = 'stg-db-2b7e91f4c0';
const PROD_SECRET = 'PROD-db-9f31c2aa57';

describeHosts('brine provision on a bare host', () => {
  const env = useHosts(1, { flavour: 'bare' });

  it('bootstraps and converges as root, is clean as the developer, --test changes nothing, history shows the runs', async () => {
    const [h] = env.hosts;
    const dev = await devKey();
    const dir = testProject({ staging: [h.address], devPub: dev.pub, stagingSecret: STAGING_SECRET, prodSecret: PROD_SECRET });
    const ssh = ['-F', h.sshConfigFile, '--dir', dir];

    // 1. First run, as root on a fresh server; watch ps on the host all the while.
    const ps = watchPs(h);
    const first = await brine(['provision', 'staging', '-H', h.address, '-u', 'root', '--json', ...ssh]);
    const commandLines = await ps.stop();
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const doc = JSON.parse(first.stdout);
    const host = doc.hosts[0];
    expect(host).toMatchObject({ address: h.address, status: 'changed', exitCode: 0, bootstrap: { skipped: false, sudo: false } });
    expect(host.bootstrap.installed).toEqual(['nodejs', 'rsync']);
    console.log(`bare host: bootstrap ${host.bootstrap.ms} ms (installed ${host.bootstrap.installed}), first provision ${first.ms} ms`);
    expect(commandLines.some((l) => l.includes('/var/lib/brine/run/') && l.includes('apply'))).toBe(true); // we did watch the run
    for (const out of [first.stdout, first.stderr, ...commandLines]) expect(out).not.toContain(STAGING_SECRET);

    // The secret is in the rendered file and nowhere else; production's is nowhere at all.
    expect(await h.sshOk(['cat', '/srv/app/config.ini'])).toContain(`db_password = ${STAGING_SECRET}`);
    expect(await filesContaining(h, STAGING_SECRET)).toEqual(['/srv/app/config.ini']);
    expect(await filesContaining(h, PROD_SECRET)).toEqual([]);
    // brine's own dirs are root-only; nothing of the upload is left.
    expect((await h.sshOk(['stat', '-c', '%a %U %n', '/var/lib/brine', '/var/log/brine', '/var/lib/brine/run'])).trim().split('\n')).toEqual([
      '700 root /var/lib/brine',
      '700 root /var/log/brine',
      '700 root /var/lib/brine/run',
    ]);
    expect((await h.sshOk(['ls', '-A', '/var/lib/brine/run', '/var/lib/brine/reports'])).replace(/\s+/g, ' ').trim()).toBe('/var/lib/brine/reports: /var/lib/brine/run:');
    // Kept for next time: the agent (the next upload of it is a hard link) and its code cache.
    const kept = async () => (await h.sshOk(['stat', '-c', '%a %U %n', '/var/lib/brine/agent/brine.js', '/var/cache/brine', '/var/cache/brine/code-cache'])).trim().split('\n');
    expect(await kept()).toEqual(['600 root /var/lib/brine/agent/brine.js', '700 root /var/cache/brine', '600 root /var/cache/brine/code-cache']);
    const inodes = async () => (await h.sshOk(['stat', '-c', '%i', '/var/lib/brine/agent/brine.js', '/var/cache/brine/code-cache'])).trim();
    const keptInodes = await inodes();
    // Bootstrapped once: the next provision's bootstrap is skipped without starting node, until
    // the node binary changes (an upgrade, a removal).
    const boot = () => h.sshOk(['sh', '-s', '--', ...bootstrapArgs], { input: scripts.bootstrap });
    expect(await boot()).toMatch(/^brine-bootstrap: ok skipped node=v\d+\.\d+\.\d+ sudo=no$/m);
    await h.sshOk(['touch', '-d', '2001-01-01', '/usr/bin/node']);
    expect(await boot()).toMatch(/^brine-bootstrap: ok installed=nothing node=v\d+/m);
    expect(await boot()).toMatch(/ok skipped/);

    // 2. The developer it created logs in with their own key and sudo: nothing left to change.
    const asDev = ['-H', h.address, '-u', 'dev', '-i', dev.key, ...ssh];
    const again = await brine(['provision', 'staging', ...asDev]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Succeeded: \d+ \(changed=0\) {2}Failed: 0/);
    expect(again.stdout).toMatch(new RegExp(`${h.address.replace(/\./g, '\\.')} +ok `));
    console.log(`provision as dev (sudo), nothing to do: ${again.ms} ms`);
    // The same agent again: linked from the kept copy, not sent (a sent one would be a new
    // file the launcher keeps instead), and run from the code cache (a rejected one is rewritten).
    expect(await inodes()).toBe(keptInodes);

    // 3. --test over SSH after a change in the project: shows the diff, exits 2, changes nothing.
    writeFileSync(join(dir, 'pillar/common.yaml'), readFileSync(join(dir, 'pillar/common.yaml'), 'utf8').replace('name: shop', 'name: shop2'));
    const before = await h.fingerprint();
    const test = await brine(['provision', 'staging', '--test', ...asDev]);
    const after = await h.fingerprint();
    expect(test.code, test.stdout + test.stderr).toBe(2);
    expect(test.stdout).toContain('-Welcome to shop (staging)');
    expect(test.stdout).toContain('+Welcome to shop2 (staging)');
    expect(test.stdout).toContain('+name = shop2');
    expect(test.stdout).not.toContain(STAGING_SECRET);
    const diff = diffFingerprints(before, after);
    expect(isEmptyDiff(diff), formatDiff(diff)).toBe(true);

    // 4. history: both real runs, who ran them, what changed; the --test run is not one.
    const hist = await brine(['history', 'staging', '-H', h.address, '-u', 'dev', '-i', dev.key, ...ssh]);
    expect(hist.code, hist.stderr).toBe(0);
    const lines = hist.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ ok {2}root via /);
    expect(lines[1]).toMatch(/ ok {2}dev via .* changed=0 /);
    expect(hist.stdout).toMatch(/changed \/srv\/app\/config.ini \(file.managed\): create file/);
    const json = JSON.parse((await brine(['history', 'staging', '--json', '-n', '1', '-H', h.address, '-u', 'root', ...ssh])).stdout);
    expect(json.hosts[0].runs).toHaveLength(1);
    expect(json.hosts[0].runs[0]).toMatchObject({ who: 'dev', env: 'staging', exitCode: 0 });
    expect(hist.stdout + JSON.stringify(json)).not.toContain(STAGING_SECRET);
  });

  it('names user and host when the login has no sudo', async () => {
    const [h] = env.hosts;
    await h.sshOk(['useradd', '--create-home', 'nosudo']);
    await h.sshOk(['install', '-d', '-o', 'nosudo', '-m', '700', '/home/nosudo/.ssh']);
    await h.sshOk(['install', '-o', 'nosudo', '-m', '600', '/root/.ssh/authorized_keys', '/home/nosudo/.ssh/authorized_keys']);
    const dir = testProject({ staging: [h.address], devPub: 'ssh-ed25519 AAAA x', stagingSecret: STAGING_SECRET, prodSecret: PROD_SECRET });
    const r = await brine(['provision', 'staging', '-u', 'nosudo', '-F', h.sshConfigFile, '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`nosudo@${h.name} has no passwordless sudo`);
  });
});
