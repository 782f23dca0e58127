// brine as a user gets it: `npm pack`, a global install from the tarball into a temp prefix with
// no network and no devDependencies, then `brine init` in an empty git repository and
// `brine provision staging --test` against a real test host.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { diffFingerprints, formatDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { tempDir } from '../support/temp.js';
import { makeDev } from './stack-support.js';

const REPO = resolve(__dirname, '../..');

describeHosts('install from a packed tarball, init, provision --test', () => {
  const env = useHosts(1, { flavour: 'full' });
  const tmp = tempDir('brine-install-');

  it('packs only the bundle, the stack and the schemas; installs offline; init writes a project that provisions', async () => {
    // npm test built dist/ already: --ignore-scripts keeps `prepare` from rebuilding it under
    // tests that are running it.
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path).sort();
    expect(files).toEqual(expect.arrayContaining(['dist/brine.js', 'dist/package.json', 'dist/schemas/state.schema.json', 'dist/schemas/pillar.schema.json', 'bootstrap.sh', 'package.json', 'states/top.yaml', 'pillar/top.yaml']));
    expect(files.filter((f) => !/^(dist\/(brine\.js|package\.json|schemas\/)|bootstrap\.sh$|package\.json$|README\.md$|states\/|pillar\/|example\/)/.test(f))).toEqual([]);
    expect(files.filter((f) => /secrets\.ya?ml$/.test(f))).toEqual([]);

    const prefix = join(tmp, 'prefix');
    const home = join(tmp, 'home');
    const npmEnv = { npm_config_cache: join(tmp, 'npm-cache'), npm_config_offline: 'true', HOME: home };
    await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(tmp, info.filename)], { env: npmEnv });
    const installed = join(prefix, 'lib/node_modules/brine');
    expect(existsSync(join(installed, 'node_modules'))).toBe(false); // nothing to install beside the bundle
    const brineBin = join(prefix, 'bin/brine');
    expect((await execa(brineBin, ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    // A user with a key in ~/.ssh, and their app's (empty) repository.
    const dev = await makeDev(mkdtempSync(join(tmp, 'keys-')), 'maria');
    await execa('mkdir', ['-p', join(home, '.ssh')]);
    writeFileSync(join(home, '.ssh/id_ed25519.pub'), dev.pub + '\n');
    const repo = join(tmp, 'app');
    await execa('git', ['init', '-q', repo]);
    const user = { HOME: home, USER: 'maria', SUDO_USER: '', NO_COLOR: '1', BRINE_CODE_CACHE: 'off' };
    const run = (args: string[]) => execa(brineBin, args, { cwd: repo, env: user, reject: false });

    const init = await run(['init']);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain('created      states/top.yaml');
    expect(init.stdout).toMatch(/brine provision staging --test/);
    const devs = readFileSync(join(repo, 'pillar/devs.yaml'), 'utf8');
    expect(devs).toContain('maria:');
    expect(devs).toContain(dev.pub);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toContain('pillar/*/secrets.yaml');
    expect(readFileSync(join(repo, 'states/users/init.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../.brine/schemas/state.schema.json');
    expect(readdirSync(join(repo, '.brine/schemas')).sort()).toEqual(['pillar.schema.json', 'state.schema.json']);

    // Twice: nothing changes. An edited file is never overwritten without --force.
    const snapshot = async () => (await execa('sh', ['-c', 'find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum'], { cwd: repo })).stdout;
    const before = await snapshot();
    const again = await run(['init']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).not.toContain('created');
    expect(await snapshot()).toBe(before);
    writeFileSync(join(repo, 'states/top.yaml'), "base:\n  '*': [users]\n");
    const refused = await run(['init']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('states/top.yaml');
    expect(readFileSync(join(repo, 'states/top.yaml'), 'utf8')).toBe("base:\n  '*': [users]\n");
    expect((await run(['init', '--force'])).exitCode).toBe(0);
    expect(await snapshot()).toBe(before);

    // The staging environment is this test host: it compiles on the controller alone, and
    // --test over SSH changes nothing and exits 2.
    const [h] = env.hosts;
    const envFile = join(repo, 'pillar/staging/env.yaml');
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/address: \S+/, `address: ${h.address}`));
    // The app's release is made from what is committed, as a team would have it.
    await execa('git', ['add', '-A'], { cwd: repo });
    await execa('git', ['-c', 'user.name=maria', '-c', 'user.email=maria@example.test', 'commit', '-qm', 'brine init'], { cwd: repo });
    const check = await run(['check', '--env', 'staging']);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`^staging: ${h.address.replace(/\./g, '\\.')} \\(web, db, cache\\): ok \\(\\d+ states\\)$`, 'm'));
    const before2 = await h.fingerprint();
    const dry = await run(['provision', 'staging', '--test', '-u', 'root', '-F', h.sshConfigFile]);
    expect(dry.exitCode, dry.stderr + dry.stdout).toBe(2);
    expect(dry.stdout).toMatch(/changed|pending/);
    // Only brine's own kept agent and bootstrap marker may appear (README: "--test also leaves…").
    const d = diffFingerprints(before2, await h.fingerprint());
    const touched = [...Object.keys(d.added), ...Object.keys(d.removed), ...Object.keys(d.changed)];
    expect(touched.filter((p) => !/^\/var\/(lib|log|cache)\/brine(\/|$)/.test(p)), formatDiff(d)).toEqual([]);
  });
});
