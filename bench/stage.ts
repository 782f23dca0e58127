// Builds what every benchmark host gets under /opt/bench: brine's bundle with a copy of the
// project (states/, pillar/), the Ansible playbook and the Puppet module, each fed the same
// data — the merged pillar brine computes — and the measuring script.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadPillar } from '../src/compile/pillar.js';
import type { Problem } from '../src/core/errors.js';
import { ENV, ROLES } from './tools.js';

/**
 * The stack shuts root out of SSH (PermitRootLogin no, AllowGroups sshusers); the harness logs in
 * as root. The env pillar's documented `sshd.settings` (lines that win over the stack's own)
 * keep it in, for all three tools alike.
 */
export const SSHD_SETTINGS = { PermitRootLogin: 'prohibit-password', AllowGroups: 'sshusers root' };

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
  writeFileSync(envFile, doc.toString());
}

/** The pillar brine would compute on a host of this env and roles. */
export function mergedPillar(projectDir: string): Record<string, unknown> {
  const problems: Problem[] = [];
  const facts = {
    id: 'bench',
    hostname: 'bench',
    fqdn: 'bench',
    env: ENV,
    roles: ROLES,
    os: { id: 'debian', version_id: '12', codename: 'bookworm', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
  };
  const { data } = loadPillar(projectDir, facts, problems);
  if (problems.length) throw new Error(`pillar of ${projectDir}:\n${problems.map((p) => `${p.file}:${p.line ?? '?'}: ${p.message}`).join('\n')}`);
  return data;
}

/** Returns a fresh local directory laid out as /opt/bench is on the hosts. */
export function stage(repo: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-'));
  const bundle = join(repo, 'dist', 'brine.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  mkdirSync(join(dir, 'brine'));
  // .mjs: on the host no package.json says "type": "module", and the bundle is ESM (as provision does).
  cpSync(bundle, join(dir, 'brine', 'brine.mjs'));
  prepareProject(repo, join(dir, 'brine', 'project'));
  const pillar = mergedPillar(join(dir, 'brine', 'project'));

  cpSync(join(repo, 'bench', 'ansible'), join(dir, 'ansible'), { recursive: true });
  writeFileSync(join(dir, 'ansible', 'vars.json'), JSON.stringify({ pillar }, null, 2));
  cpSync(join(repo, 'bench', 'puppet'), join(dir, 'puppet'), { recursive: true });
  mkdirSync(join(dir, 'puppet', 'modules', 'stack', 'data'), { recursive: true });
  writeFileSync(join(dir, 'puppet', 'modules', 'stack', 'data', 'pillar.json'), JSON.stringify({ 'stack::pillar': pillar }, null, 2));
  cpSync(join(repo, 'bench', 'measure.py'), join(dir, 'measure.py'));
  return dir;
}

/** Files under a staged dir, for a quick look in logs. */
export function listStaged(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}
