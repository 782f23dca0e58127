// Driving the shipped stack on a test host from outside, as a team would: a temp copy of the
// repo's states/ and pillar/ with generated keys and secrets, uploaded with the bundle, applied
// as root the first time and through a developer's sudo afterwards (root login is off then).
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { rsyncQuote } from '../../src/provision/quote.js';
import type { Report } from '../../src/apply/report-types.js';
import type { SshResult, TestHost } from '../harness/index.js';
import { tempDir } from '../support/temp.js';

const REPO = resolve(__dirname, '../..');
const REMOTE = '/root/project';

export interface Dev {
  name: string;
  key: string;
  pub: string;
}

/** `brine apply … --json` run on the host as `argv`: exit code, report and stderr; an error when no report came. */
export async function applyReport(host: TestHost, argv: string[], timeout?: number): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await host.ssh(argv, { timeout });
  try {
    return { code: r.exitCode, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    throw new Error(`${argv.join(' ')} exited ${r.exitCode} without a JSON report:\n${r.stderr}${r.stdout}`);
  }
}

export async function makeDev(dir: string, name: string): Promise<Dev> {
  const key = join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@brine-e2e`, '-f', key]);
  const pub = (await execa('cat', [`${key}.pub`])).stdout.trim();
  return { name, key, pub };
}

export interface BrineRun extends SshResult {
  ms: number;
}

export class StackProject {
  readonly dir = tempDir('brine-stack-e2e-');
  /** Everything brine printed, to prove no secret ever shows. */
  readonly outputs: string[] = [];
  /** Who runs brine on the host: root over SSH until a developer with sudo exists. */
  admin?: Dev;

  constructor(readonly host: TestHost) {
    for (const sub of ['states', 'pillar']) cpSync(join(REPO, sub), join(this.dir, sub), { recursive: true });
    cpSync(join(REPO, 'dist/brine.js'), join(this.dir, 'brine.js'));
  }

  write(path: string, text: string): void {
    writeFileSync(join(this.dir, path), text);
  }

  devs(devs: { dev: Dev; sudo: boolean }[], absent: string[] = []): void {
    const lines = ['devs:'];
    for (const { dev, sudo } of devs) lines.push(`  ${dev.name}:`, `    public_keys: [${JSON.stringify(dev.pub)}]`, `    sudo: ${sudo}`);
    this.write('pillar/devs.yaml', `${lines.join('\n')}\ndevs_absent: ${JSON.stringify(absent)}\n`);
  }

  /** Runs a command on the host as root: directly, or as the admin developer through sudo -n. */
  root(argv: string[], opts: { input?: string; timeout?: number } = {}): Promise<SshResult> {
    if (!this.admin) return this.host.ssh(argv, opts);
    return this.as(this.admin, ['sudo', '-n', '--', ...argv], opts);
  }

  as(dev: Dev, command: string[] | string, opts: { input?: string; timeout?: number } = {}): Promise<SshResult> {
    return this.host.ssh(command, { ...opts, user: dev.name, identity: dev.key });
  }

  /** Copies the project (secrets.yaml included) into a root-only directory on the host. */
  async upload(): Promise<void> {
    const ssh = ['ssh', '-F', this.host.sshConfigFile, ...(this.admin ? ['-l', this.admin.name, '-i', this.admin.key] : [])];
    await this.root(['install', '-d', '-m', '700', REMOTE]);
    await execa('rsync', [
      '-a', '--delete', '--chmod=D700,F600',
      ...(this.admin ? ['--rsync-path=sudo -n rsync'] : []),
      '-e', ssh.map(rsyncQuote).join(' '),
      `${this.dir}/`, `${this.host.name}:${REMOTE}/`,
    ]);
  }

  /** Uploads, then `brine apply ARGS --env staging --roles web` on the host. */
  async brine(...args: string[]): Promise<BrineRun> {
    await this.upload();
    const t0 = Date.now();
    const r = await this.root(['node', `${REMOTE}/brine.js`, 'apply', ...args, '--env', 'staging', '--roles', 'web', '--dir', REMOTE], { timeout: 300_000 });
    this.outputs.push(r.stdout, r.stderr);
    return { ...r, ms: Date.now() - t0 };
  }

  /** `--test --json`: the states not ok, as "function id: result". */
  async pending(): Promise<{ code: number; states: string[] }> {
    const r = await this.brine('--test', '--json');
    const report = JSON.parse(r.stdout) as { states: { id: string; function: string; result: string }[] };
    return { code: r.exitCode, states: report.states.filter((s) => s.result !== 'ok').map((s) => `${s.function} ${s.id}: ${s.result}`) };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** curl from the controller to the test host only. */
export async function curl(url: string, extra: string[] = []): Promise<{ code: number; body: string }> {
  const r = await execa('curl', ['-sk', '-m', '5', ...extra, url], { reject: false });
  return { code: r.exitCode ?? -1, body: r.stdout };
}

/** Can `dev` log in over real SSH (key only)? */
export async function logsIn(p: StackProject, dev: Dev): Promise<boolean> {
  const r = await p.as(dev, ['true'], { timeout: 20_000 });
  return r.exitCode === 0;
}
