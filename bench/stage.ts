// Builds what every benchmark host gets under /opt/bench: brine's bundle with a copy of the
// project (states/, pillar/), the Ansible playbook and the Puppet module, each fed the same
// data — the merged pillar brine computes, and the app they deploy (bench/app) — and the measuring
// script.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadPillar } from '../src/compile/pillar.js';
import { formatProblem, type Problem } from '../src/core/errors.js';
import { facts } from '../test/support/project.js';
import { stageExampleRelease } from '../test/support/release.js';
import { ENV, ROLES } from './tools.js';

/**
 * The stack shuts root out of SSH (PermitRootLogin no, AllowGroups sshusers); the harness logs in
 * as root. The env pillar's documented `sshd.settings` (lines that win over the stack's own)
 * keep it in, for all three tools alike.
 */
export const SSHD_SETTINGS = { PermitRootLogin: 'prohibit-password', AllowGroups: 'sshusers root' };

/**
 * The benchmark compares the stack the three tools share; the fail2ban, upgrades and hardening
 * states (packages the `full` flavour does not carry, no Ansible/Puppet counterparts) stay off.
 */
export const STATES_OFF = ['fail2ban', 'upgrades', 'hardening'];

/** Pillar files of the env, with secrets.yaml made from secrets.example.yaml where missing. */
function prepareProject(repo: string, dest: string): void {
  for (const dir of ['states', 'pillar']) cpSync(join(repo, dir), join(dest, dir), { recursive: true });
  const envDir = join(dest, 'pillar', ENV);
  if (existsSync(join(envDir, 'secrets.example.yaml')) && !existsSync(join(envDir, 'secrets.yaml'))) {
    cpSync(join(envDir, 'secrets.example.yaml'), join(envDir, 'secrets.yaml'));
  }
  const envFile = join(envDir, 'env.yaml');
  const doc = parseDocument(readFileSync(envFile, 'utf8'));
  for (const [k, v] of Object.entries(SSHD_SETTINGS)) doc.setIn(['sshd', 'settings', k], v);
  for (const state of STATES_OFF) doc.setIn([state, 'enabled'], false);
  writeFileSync(envFile, doc.toString());
}

export interface StackData {
  pillar: Record<string, unknown>;
  /** What the secrets.yaml files hold (templates see it as `secrets`: the app's environment). */
  secrets: Record<string, unknown>;
}

/** The pillar brine would compute on a host of this env and roles. */
export function stackData(projectDir: string): StackData {
  const problems: Problem[] = [];
  const { data, secretData } = loadPillar(projectDir, facts({ id: 'bench', hostname: 'bench', fqdn: 'bench', env: ENV, roles: ROLES }), problems);
  if (problems.length) throw new Error(`pillar of ${projectDir}:\n${problems.map(formatProblem).join('\n')}`);
  return { pillar: data, secrets: secretData };
}

/** The twins' app (bench/app: the stack's former single-file app), copied as it is. */
const PLAIN_FILES = ['app.py', 'static/hello.txt'];

/**
 * Returns a fresh local directory laid out as /opt/bench is on the hosts. brine's project gets
 * the example app's release, as brine provision would upload it.
 */
export async function stage(repo: string, bundle = join(repo, 'dist', 'brine.js')): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-'));
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  mkdirSync(join(dir, 'brine'));
  cpSync(bundle, join(dir, 'brine', 'brine.js'));
  prepareProject(repo, join(dir, 'brine', 'project'));
  await stageExampleRelease(join(dir, 'brine', 'project'));
  const { pillar, secrets } = stackData(join(dir, 'brine', 'project'));

  cpSync(join(repo, 'bench', 'ansible'), join(dir, 'ansible'), { recursive: true });
  writeFileSync(join(dir, 'ansible', 'vars.json'), JSON.stringify({ pillar, secrets }, null, 2));
  cpSync(join(repo, 'bench', 'puppet'), join(dir, 'puppet'), { recursive: true });
  const module = join(dir, 'puppet', 'modules', 'stack');
  mkdirSync(join(module, 'data'), { recursive: true });
  writeFileSync(join(module, 'data', 'pillar.json'), JSON.stringify({ 'stack::pillar': pillar, 'stack::secrets': secrets }, null, 2));
  for (const file of PLAIN_FILES) {
    cpSync(join(repo, 'bench', 'app', file), join(dir, 'ansible', 'files', file));
    cpSync(join(repo, 'bench', 'app', file), join(module, 'files', file));
  }
  cpSync(join(repo, 'bench', 'measure.py'), join(dir, 'measure.py'));
  return dir;
}
