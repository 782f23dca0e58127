// `npm run demo [-- --release 13]`: boot a disposable bare Debian host (12 by default, or 13),
// provision it with the shipped stack (a throwaway developer key and generated secrets) and its
// example Django app as a release, deploy a second commit, roll back, show the releases, prove it
// serves, destroy it.
import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { bareOf, ensureHostTools, RELEASES, startHosts } from '../test/harness/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (text: string) => process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);

/** `--release N` (or `--release=N`): the Debian release to boot, 12 unless given. */
function releaseArg(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--release' || a.startsWith('--release='));
  if (i < 0) return '12';
  const value = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  if (!value || !RELEASES[value]) throw new Error(`--release takes one of ${Object.keys(RELEASES).join(', ')}`);
  return value;
}

async function main(): Promise<number> {
  const release = releaseArg(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error('npm run demo boots a systemd-nspawn container and needs root.');
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'brine-demo-'));
  say(`building the agent and a bare Debian ${release} host (the first time builds the image: ~1–2 min)`);
  await execa('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
  await ensureHostTools();
  const run = await startHosts(1, { flavour: bareOf(release), log: (m) => console.log(`  ${m}`) });
  try {
    const host = run.hosts[0];
    const project = await makeProject(work, host.address);
    const key = join(work, 'demo_ed25519');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'demo@brine', '-f', key]);
    writeFileSync(join(project, 'pillar/devs.yaml'), `devs:\n  demo:\n    public_keys: [${JSON.stringify(readFileSync(`${key}.pub`, 'utf8').trim())}]\n    sudo: true\ndevs_absent: []\n`);
    // You, meeting this server for the first time: your own known_hosts does not know it (the
    // harness's ssh_config, which pins the host's keys, is used for the key and address only).
    const knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, '');
    const brine = (...args: string[]) =>
      execa('node', [join(REPO, 'dist/brine.js'), ...args, '--dir', project, '-F', run.sshConfigFile, '-o', `UserKnownHostsFile=${knownHosts}`], { reject: false, stdio: 'inherit' });

    say(`brine provision staging --test --accept-new  (a fresh server at ${host.address}, as root: first contact records its host keys, then what would change)`);
    await brine('provision', 'staging', '-u', 'root', '--test', '--accept-new');
    console.log(`\npillar/staging/known_hosts (commit it: your team trusts these keys from now on):\n${readFileSync(join(project, 'pillar/staging/known_hosts'), 'utf8')}`);
    say('brine provision staging  (bootstrap, upload, apply as root; the host key checked against pillar/staging/known_hosts)');
    const first = await brine('provision', 'staging', '-u', 'root');
    if (first.exitCode !== 0) return first.exitCode ?? 1;
    const page = async () => {
      const r = await execa('curl', ['-sk', '-m', '5', `https://${host.address}/`], { reject: false });
      console.log(r.stdout || r.stderr);
    };
    say(`curl -k https://${host.address}/  (nginx → gunicorn → the Django app, release 1)`);
    await page();
    say('brine provision staging -u demo  (root login is off now; a developer with sudo; nothing to change)');
    const again = await brine('provision', 'staging', '-u', 'demo', '-i', key);
    const root = await host.ssh(['true']); // as root, through the run's ssh config
    console.log(`root login now: ${root.exitCode === 0 ? 'ALLOWED (unexpected)' : 'refused'}`);

    say('a second commit of the app (version 2): brine provision staging --test, then deploy it');
    const version = join(project, 'example/hello/version.py');
    writeFileSync(version, 'VERSION = "2"\n');
    await git(project, 'commit', '-qam', 'version 2');
    const asDemo = ['-u', 'demo', '-i', key];
    await brine('provision', 'staging', ...asDemo, '--test');
    const second = await brine('provision', 'staging', ...asDemo);
    await page();
    say('brine rollback staging  (back to the previous release, health-checked)');
    const back = await brine('rollback', 'staging', ...asDemo);
    await page();
    say('brine releases staging');
    await brine('releases', 'staging', ...asDemo);
    return again.exitCode || second.exitCode || back.exitCode || 0;
  } finally {
    say('destroying the host');
    await run.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}

const git = (dir: string, ...args: string[]) => execa('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@brine.test', ...args], { cwd: dir });

/**
 * A copy of the shipped states/, pillar/ and example app as a git repository (releases are
 * commits): this host as staging's web server, generated secrets.
 */
async function makeProject(work: string, address: string): Promise<string> {
  const project = join(work, 'project');
  for (const sub of ['states', 'pillar', 'example', '.gitignore']) cpSync(join(REPO, sub), join(project, sub), { recursive: true });
  const envFile = join(project, 'pillar/staging/env.yaml');
  const env = parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(envFile, stringify({ ...env, hosts: [{ address, roles: ['web'] }] }));
  const example = readFileSync(join(REPO, 'pillar/staging/secrets.example.yaml'), 'utf8');
  const keys = [...example.matchAll(/^([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  writeFileSync(join(project, 'pillar/staging/secrets.yaml'), keys.map((k) => `${k}: ${JSON.stringify(randomBytes(12).toString('hex'))}\n`).join(''));
  await git(project, 'init', '-q', '-b', 'main');
  await git(project, 'add', '-A');
  await git(project, 'commit', '-qm', 'the app, version 1');
  return project;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
