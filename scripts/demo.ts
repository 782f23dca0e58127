// `npm run demo [-- --release 13]`: boot a disposable bare Debian host (12 by default, or 13),
// provision it with the shipped stack (a throwaway developer key and generated secrets), show the
// reports, prove it serves, destroy it.
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
    const project = makeProject(work, host.address);
    const key = join(work, 'demo_ed25519');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'demo@brine', '-f', key]);
    writeFileSync(join(project, 'pillar/devs.yaml'), `devs:\n  demo:\n    public_keys: [${JSON.stringify(readFileSync(`${key}.pub`, 'utf8').trim())}]\n    sudo: true\ndevs_absent: []\n`);
    const brine = (...args: string[]) =>
      execa('node', [join(REPO, 'dist/brine.js'), ...args, '--dir', project, '-F', run.sshConfigFile], { reject: false, stdio: 'inherit' });

    say(`brine provision staging --test  (a fresh server at ${host.address}, as root: what would change)`);
    await brine('provision', 'staging', '-u', 'root', '--test');
    say('brine provision staging  (bootstrap, upload, apply as root)');
    const first = await brine('provision', 'staging', '-u', 'root');
    if (first.exitCode !== 0) return first.exitCode ?? 1;
    say('brine provision staging -u demo  (root login is off now; a developer with sudo; nothing to change)');
    const again = await brine('provision', 'staging', '-u', 'demo', '-i', key);
    say(`curl -k https://${host.address}/  (nginx → gunicorn app)`);
    const page = await execa('curl', ['-sk', '-m', '5', `https://${host.address}/`], { reject: false });
    console.log(page.stdout || page.stderr);
    const root = await host.ssh(['true']); // as root, through the run's ssh config
    console.log(`root login now: ${root.exitCode === 0 ? 'ALLOWED (unexpected)' : 'refused'}`);
    return again.exitCode ?? 1;
  } finally {
    say('destroying the host');
    await run.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A copy of the shipped states/ and pillar/: this host as staging's web server, generated secrets. */
function makeProject(work: string, address: string): string {
  const project = join(work, 'project');
  for (const sub of ['states', 'pillar']) cpSync(join(REPO, sub), join(project, sub), { recursive: true });
  const envFile = join(project, 'pillar/staging/env.yaml');
  const env = parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(envFile, stringify({ ...env, hosts: [{ address, roles: ['web'] }] }));
  const example = readFileSync(join(REPO, 'pillar/staging/secrets.example.yaml'), 'utf8');
  const keys = [...example.matchAll(/^([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  writeFileSync(join(project, 'pillar/staging/secrets.yaml'), keys.map((k) => `${k}: ${JSON.stringify(randomBytes(12).toString('hex'))}\n`).join(''));
  return project;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
