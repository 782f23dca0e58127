// The dry-run scenario suite's tools: the shipped stack as a project on the controller, provisioned
// with `brine provision` (as root, then as a developer), and the comparison of what `--test`
// predicted per state (id + function) with what the real run then did.
import { cpSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../../src/apply/report-types.js';
import { execa } from 'execa';
import { remoteCommand } from '../../src/provision/quote.js';
import type { Fingerprint, SshResult, TestHost } from '../harness/index.js';
import { takeFingerprint } from '../harness/fingerprint.js';
import { brine } from './provision-support.js';
import { tempDir } from '../support/temp.js';
import type { Dev } from './stack-support.js';

const REPO = resolve(__dirname, '../..');

export interface Outcome {
  code: number;
  report?: Report;
  error?: string;
  out: string;
}

export class DryRunProject {
  readonly dir = tempDir('brine-dryrun-e2e-');
  /** Who provisions: root at first, then a developer with sudo. */
  as?: Dev;
  port = 22;

  constructor(readonly host: TestHost) {
    // The project as a team has it: a git repository (provision deploys the app's committed code).
    for (const sub of ['states', 'pillar', 'example']) cpSync(join(REPO, sub), join(this.dir, sub), { recursive: true });
    rmSync(join(this.dir, 'pillar/staging/secrets.yaml'), { force: true });
    cpSync(join(REPO, '.gitignore'), join(this.dir, '.gitignore'));
    this.env('');
  }

  write(path: string, text: string): void {
    writeFileSync(join(this.dir, path), text);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  /** pillar/staging/env.yaml: this host with role web, plus `extra` YAML. */
  env(extra: string): void {
    this.write('pillar/staging/env.yaml', `environment: staging\ndomain: staging.brine.test\nhosts:\n  - {address: ${this.host.address}, roles: [web, db, cache]}\nfirewall:\n  allow: []\n${extra}`);
  }

  devs(devs: { dev: Dev; sudo: boolean }[], absent: string[] = []): void {
    const lines = ['devs:'];
    for (const { dev, sudo } of devs) lines.push(`  ${dev.name}:`, `    public_keys: [${JSON.stringify(dev.pub)}]`, `    sudo: ${sudo}`);
    this.write('pillar/devs.yaml', `${lines.join('\n')}\ndevs_absent: ${JSON.stringify(absent)}\n`);
  }

  /** Commits what changed since the last run (secrets.yaml stays out: .gitignore). */
  private async commit(): Promise<void> {
    const git = (...a: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@brine.test', ...a], { cwd: this.dir });
    if ((await git('rev-parse', '--is-inside-work-tree').catch(() => ({ stdout: '' }))).stdout.trim() !== 'true') await git('init', '-q', '-b', 'main');
    if (!(await git('status', '--porcelain')).stdout.trim()) return;
    await git('add', '-A');
    await git('commit', '-q', '-m', 'scenario');
  }

  async provision(...args: string[]): Promise<Outcome> {
    await this.commit();
    const who = this.as ? ['-u', this.as.name, '-i', this.as.key] : ['-u', 'root'];
    const r = await brine(['provision', 'staging', '--json', '-F', this.host.sshConfigFile, '-o', `Port=${this.port}`, '--dir', this.dir, ...who, ...args]);
    const out = r.stdout + r.stderr;
    try {
      const host = JSON.parse(r.stdout).hosts[0];
      return { code: r.code, report: host.report ?? undefined, error: host.error ?? undefined, out };
    } catch {
      throw new Error(`provision ${args.join(' ')} exited ${r.code} without a JSON document:\n${out}`);
    }
  }

  /** Runs argv as root on the host: over root's login, then as the developer through sudo -n. */
  async root(argv: string[], opts: { input?: string; timeout?: number } = {}): Promise<SshResult> {
    if (!this.as) return this.host.ssh(argv, opts);
    const ssh = ['-F', this.host.sshConfigFile, '-p', String(this.port), '-l', this.as.name, '-i', this.as.key, this.host.address, remoteCommand(['sudo', '-n', '--', ...argv])];
    const r = await execa('ssh', ssh, { reject: false, input: opts.input ?? '', timeout: opts.timeout ?? 120_000, stripFinalNewline: false });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  fingerprint(): Promise<Fingerprint> {
    return takeFingerprint((argv, opts) => this.root(argv, opts));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

