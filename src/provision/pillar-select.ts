// Which pillar files a host gets: exactly what pillar/top.yaml selects for it in this env
// (decided here, on the controller), never a file of another environment, plus a reduced top.
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Facts } from '../compile/facts.js';
import { knownEnvironments } from '../compile/environments.js';
import { loadPillar, resolveName } from '../compile/pillar.js';
import { InventoryError, SpecError, type Problem } from '../core/errors.js';
import type { Secrets } from '../core/secrets.js';
import type { Target } from './inventory.js';

export interface HostPillar {
  /** Selected files relative to the project dir, in merge order. */
  files: string[];
  /** Their pillar names (`staging.secrets`), for the reduced top. */
  names: string[];
  secrets: Secrets;
  /** The merged pillar, for what the controller itself needs (the app's source for releases). */
  data: Record<string, unknown>;
  /** pillar/top.yaml for the host: its own names under `base: '*'`, nothing else. */
  top: string;
}

/** Facts the controller knows: top targets match the inventory id (default: address) and roles. */
export function controllerFacts(env: string, t: Target): Facts {
  return { id: t.id, hostname: t.id, fqdn: t.id, env, roles: t.roles, os: { id: '', version_id: '', codename: '', pretty_name: '' } };
}

export function pillarForHost(dir: string, env: string, t: Target): HostPillar {
  const problems: Problem[] = [];
  const loaded = loadPillar(dir, controllerFacts(env, t), problems);
  if (problems.length) throw new SpecError(problems.map((p) => ({ ...p, message: loaded.secrets.mask(p.message) })));
  const others = otherEnvironments(dir, env);
  const names: string[] = [];
  for (const file of loaded.files) {
    const parts = file.split('/');
    // pillar/<name>/… or pillar/<name>.yaml named after another environment is that environment's.
    const owner = parts.length > 2 ? parts[1] : parts[1].replace(/\.ya?ml$/, '');
    if (others.has(owner)) {
      throw new InventoryError(`pillar/top.yaml selects ${file} for ${t.id} in '${env}', but it belongs to environment '${owner}': not uploading it`);
    }
    const name = file.replace(/^pillar\//, '').replace(/\.ya?ml$/, '').split('/').join('.');
    if (resolveName(join(dir, 'pillar'), name) !== join(dir, file)) {
      throw new InventoryError(`${file}: cannot name this pillar file for the host's top (a '.' in a file or directory name?)`);
    }
    names.push(name);
  }
  const top =
    `# Written by brine provision: the pillar files pillar/top.yaml selects for ${t.id} in ${env}.\n` +
    (names.length ? `base:\n  '*':\n${names.map((n) => `    - ${JSON.stringify(n)}\n`).join('')}` : '{}\n');
  return { files: loaded.files, names, secrets: loaded.secrets, data: loaded.data, top };
}

/** Environments other than `env`: keys of pillar/top.yaml, and pillar/<name>/env.yaml owners. */
export function otherEnvironments(dir: string, env: string): Set<string> {
  const out = knownEnvironments(dir);
  out.delete('base');
  out.delete(env);
  return out;
}

/** Writes the host's pillar (selected files + reduced top) under staging/pillar, 0600. */
export function stagePillar(dir: string, p: HostPillar, staging: string): string {
  const root = join(staging, 'pillar');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  for (const file of p.files) {
    const to = join(staging, file);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    copyFileSync(join(dir, file), to);
    chmodSync(to, 0o600);
  }
  writeFileSync(join(root, 'top.yaml'), p.top, { mode: 0o600 });
  return root;
}
