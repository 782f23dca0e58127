// `brine check`: compile every environment's states and pillar for each of its hosts on the
// controller — YAML, templates, arguments, requisites, the stack's own guards — touching no host.
// For pre-commit hooks and CI. Facts a host would report come from --facts or sane defaults.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compile } from '../compile/load.js';
import type { Facts } from '../compile/facts.js';
import { BrineError, SpecError, type Problem } from '../core/errors.js';
import { registry } from '../resources/index.js';
import { checkEnvName, loadInventory, type Target } from './inventory.js';

export interface CheckResult {
  env: string;
  host: string;
  roles: string[];
  states?: number;
  problems?: Problem[];
  /** A non-spec failure (unreadable inventory): one line. */
  error?: string;
}

/** What a host would report about itself when no --facts file says otherwise: Debian 12. */
const DEFAULT_OS: Facts['os'] = { id: 'debian', version_id: '12', codename: 'bookworm', pretty_name: 'Debian GNU/Linux 12 (bookworm)' };

/** Environments of the project: the folders of pillar/ that hold an env.yaml. */
export function projectEnvs(dir: string): string[] {
  const pillar = join(dir, 'pillar');
  if (!existsSync(pillar)) return [];
  return readdirSync(pillar, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(pillar, e.name, 'env.yaml')))
    .map((e) => e.name)
    .sort();
}

/** --facts FILE: a YAML/JSON mapping of facts for every host, with `hosts: {ID: {...}}` per host. */
export function loadFactsFile(path: string): { all: Partial<Facts>; hosts: Record<string, Partial<Facts>> } {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new BrineError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new BrineError(`${path}: expected a mapping of facts (os: {codename: …}, hosts: {ID: {…}})`);
  const { hosts = {}, ...all } = doc as Record<string, unknown>;
  return { all: all as Partial<Facts>, hosts: hosts as Record<string, Partial<Facts>> };
}

function factsFor(env: string, t: Target, given: ReturnType<typeof loadFactsFile>): Facts {
  const own = { ...given.all, ...(given.hosts[t.id] ?? {}) };
  return {
    id: t.id,
    hostname: t.id.split('.')[0],
    fqdn: t.id,
    env,
    roles: t.roles,
    ...own,
    os: { ...DEFAULT_OS, ...(own.os ?? {}) },
  };
}

export function checkProject(dir: string, o: { env?: string; facts?: string }): CheckResult[] {
  const envs = o.env ? [checkEnvName(o.env)] : projectEnvs(dir);
  if (!envs.length) throw new BrineError(`no environments in ${join(dir, 'pillar')} (a folder with an env.yaml each)`);
  const given = o.facts ? loadFactsFile(o.facts) : { all: {}, hosts: {} };
  const out: CheckResult[] = [];
  for (const env of envs) {
    let hosts: Target[];
    try {
      const inv = loadInventory(dir, env);
      if (!inv.found) throw new BrineError(`no ${inv.file}`);
      hosts = inv.hosts.length ? inv.hosts : [{ address: 'check', id: 'check', roles: [] }];
    } catch (err) {
      out.push({ env, host: '-', roles: [], error: (err as Error).message });
      continue;
    }
    for (const t of hosts) {
      const r: CheckResult = { env, host: t.id, roles: t.roles };
      try {
        r.states = compile({ dir, facts: factsFor(env, t, given) }, registry).graph.order.length;
      } catch (err) {
        if (err instanceof SpecError) r.problems = err.problems;
        else if (err instanceof BrineError) r.error = err.message;
        else throw err;
      }
      out.push(r);
    }
  }
  return out;
}
