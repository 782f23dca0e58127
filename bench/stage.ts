// Builds what every benchmark host gets under /opt/bench: brine's bundle with a copy of the
// project (states/, pillar/), the Ansible playbook and the Puppet module, each fed the same
// data — the merged pillar brine computes, and the example app's release brine deploys (its
// archive and what the twins need of its manifest) — and the measuring script.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadPillar } from '../src/compile/pillar.js';
import { formatProblem, type Problem } from '../src/core/errors.js';
import { layout } from '../src/resources/release/layout.js';
import type { ReleaseManifest } from '../src/resources/release/manifest.js';
import type { ReleaseSpec } from '../src/resources/release/spec.js';
import { venvPath } from '../src/resources/release/venv.js';
import { compileProject, facts } from '../test/support/project.js';
import { stageExampleRelease } from '../test/support/release.js';
import { ENV, REMOTE, ROLES } from './tools.js';

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

/** What the twins need of the release brine deploys (release.deployed reads it from the manifest). */
export interface TwinRelease {
  id: string;
  /** release.tar on the host, in the twin's own tree. */
  archive: string;
  /** The requirements file, a path in the release (null: no requirements). */
  requirements: string | null;
  /** The virtualenv's directory, as brine names it: /srv/<project>/venvs/<hash of requirements and pip options>. */
  venv: string;
  /** The release's files: a hook's first word naming one of them runs that file (`./manage.py`), as in brine. */
  files: string[];
}

/**
 * The release brine's project holds (release/release.json), for the twins (each adds where its copy
 * of release.tar is): its virtualenv named from the options of the stack's own release.deployed
 * state, as brine compiles it for the bench host.
 */
export function twinRelease(projectDir: string): Omit<TwinRelease, 'archive'> {
  const m = JSON.parse(readFileSync(join(projectDir, 'release', 'release.json'), 'utf8')) as ReleaseManifest;
  const c = compileProject(projectDir, { id: 'bench', hostname: 'bench', fqdn: 'bench', env: ENV, roles: ROLES });
  const decl = c.graph.order.find((d) => d.kind === 'release' && d.fn === 'deployed');
  if (!decl) throw new Error(`${projectDir}: the stack has no release.deployed state`);
  const spec = c.specs.get(decl.key) as ReleaseSpec;
  const venv = venvPath(layout(spec.root), m, spec.venv);
  return { id: m.id, requirements: m.requirements?.path ?? null, venv, files: Object.keys(m.files).sort() };
}

/**
 * Returns a fresh local directory laid out as /opt/bench is on the hosts. brine's project gets
 * the example app's release, as brine provision would upload it.
 */
export async function stage(repo: string, bundle = join(repo, 'dist', 'brine.js')): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-'));
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  mkdirSync(join(dir, 'brine'));
  cpSync(bundle, join(dir, 'brine', 'brine.js'));
  const project = join(dir, 'brine', 'project');
  prepareProject(repo, project);
  await stageExampleRelease(project);
  const { pillar, secrets } = stackData(project);
  // The twins deploy the very archive brine's project holds, each from its own tree.
  const tar = join(project, 'release', 'release.tar');
  const release = twinRelease(project);

  cpSync(join(repo, 'bench', 'ansible'), join(dir, 'ansible'), { recursive: true });
  mkdirSync(join(dir, 'ansible', 'files'));
  cpSync(tar, join(dir, 'ansible', 'files', 'release.tar'));
  const ansibleRelease = { ...release, archive: `${REMOTE}/ansible/files/release.tar` };
  writeFileSync(join(dir, 'ansible', 'vars.json'), JSON.stringify({ pillar, secrets, release: ansibleRelease }, null, 2));

  cpSync(join(repo, 'bench', 'puppet'), join(dir, 'puppet'), { recursive: true });
  const module = join(dir, 'puppet', 'modules', 'stack');
  mkdirSync(join(module, 'data'), { recursive: true });
  mkdirSync(join(module, 'files'), { recursive: true });
  cpSync(tar, join(module, 'files', 'release.tar'));
  const puppetRelease = { ...release, archive: `${REMOTE}/puppet/modules/stack/files/release.tar` };
  writeFileSync(join(module, 'data', 'pillar.json'), JSON.stringify({ 'stack::pillar': pillar, 'stack::secrets': secrets, 'stack::release': puppetRelease }, null, 2));

  cpSync(join(repo, 'bench', 'measure.py'), join(dir, 'measure.py'));
  return dir;
}
