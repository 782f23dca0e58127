// The inventory: an environment's hosts and roles from pillar/<env>/env.yaml, and the
// `-H host[,host]` / `-u user` overrides (as `fab -H … -u root`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InventoryError } from '../core/errors.js';
import { checkAddress } from './ssh.js';

export interface Target {
  address: string;
  /** SSH login user; undefined lets ssh decide (ssh_config, the local user). */
  user?: string;
  /** The name top files target this host by (`--id` on the host). */
  id: string;
  roles: string[];
  /** host_keys: SHA256 fingerprints its SSH host key must match (instead of known_hosts). */
  hostKeys?: string[];
}

export interface Inventory {
  env: string;
  file: string;
  /** Whether pillar/<env>/env.yaml exists (with -H it may not). */
  found: boolean;
  user?: string;
  hosts: Target[];
}

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function checkEnvName(env: string): string {
  if (!ENV_NAME.test(env) || env === 'base') throw new InventoryError(`not an environment name: ${JSON.stringify(env)} (letters, digits, - and _; not 'base')`);
  return env;
}

export function loadInventory(dir: string, env: string): Inventory {
  checkEnvName(env);
  const rel = join('pillar', env, 'env.yaml');
  const path = join(dir, rel);
  if (!existsSync(path)) return { env, file: rel, found: false, hosts: [] };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InventoryError(`${rel}: ${(err as Error).message}`);
  }
  const bad = (msg: string) => new InventoryError(`${rel}: ${msg}`);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('must be a mapping with hosts: [{address, roles}]');
  const d = doc as Record<string, unknown>;
  if (d.environment !== undefined && d.environment !== env) throw bad(`environment is '${String(d.environment)}', but this is pillar/${env}`);
  const user = optionalString(d.user, 'user', bad);
  if (d.hosts !== undefined && !Array.isArray(d.hosts)) throw bad('hosts must be a list of {address, roles}');
  const hosts = ((d.hosts as unknown[]) ?? []).map((h, i) => {
    if (typeof h === 'string') return { address: address(h, `hosts[${i}]`, bad), id: h, roles: [] };
    if (h === null || typeof h !== 'object' || Array.isArray(h)) throw bad(`hosts[${i}] must be an address or {address, roles}`);
    const e = h as Record<string, unknown>;
    const addr = address(e.address, `hosts[${i}].address`, bad);
    const roles = e.roles ?? [];
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw bad(`hosts[${i}].roles must be a list of names`);
    const t: Target = { address: addr, id: optionalString(e.id, `hosts[${i}].id`, bad) ?? addr, roles: roles as string[] };
    const u = optionalString(e.user, `hosts[${i}].user`, bad);
    if (u) t.user = u;
    const keys = hostKeys(e.host_keys, `hosts[${i}].host_keys`, bad);
    if (keys) t.hostKeys = keys;
    return t;
  });
  return { env, file: rel, found: true, user, hosts };
}

export interface Overrides {
  /** -H: addresses (or inventory ids), optionally `user@address`. */
  hosts?: string[];
  /** -u: login user for every host. */
  user?: string;
}

/** The hosts to provision. Hosts named with -H but not in the inventory get no roles (and a warning). */
export function selectTargets(inv: Inventory, o: Overrides): { targets: Target[]; warnings: string[] } {
  const warnings: string[] = [];
  let targets: Target[];
  if (o.hosts?.length) {
    targets = o.hosts.map((spec) => {
      const at = spec.lastIndexOf('@');
      const [user, name] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [undefined, spec];
      const known = inv.hosts.find((h) => h.address === name || h.id === name);
      if (!known) warnings.push(`${name} is not in ${inv.file}: no roles`);
      const t: Target = known ? { ...known } : { address: checkAddress(name), id: name, roles: [] };
      if (user) t.user = user;
      return t;
    });
  } else {
    if (!inv.found) throw new InventoryError(`no ${inv.file}: list the hosts there (hosts: [{address, roles}]) or name them with -H`);
    targets = inv.hosts.map((h) => ({ ...h }));
  }
  if (!targets.length) throw new InventoryError(`no hosts in ${inv.file}`);
  for (const t of targets) {
    const user = o.user ?? t.user ?? inv.user;
    if (user) t.user = user;
    else delete t.user;
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.address)) throw new InventoryError(`${t.address} is listed twice`);
    seen.add(t.address);
  }
  return { targets, warnings };
}

function address(v: unknown, where: string, bad: (m: string) => Error): string {
  if (typeof v !== 'string' || !v) throw bad(`${where} must be a host name or IP address`);
  try {
    return checkAddress(v);
  } catch (err) {
    throw bad(`${where}: ${(err as Error).message}`);
  }
}

const SHA256 = /(?:^|\s)SHA256:([A-Za-z0-9+/]{43})=?(?=\s|$)/;

/**
 * Fingerprints as `ssh-keygen -l` and cloud consoles print them: `SHA256:…`, alone or in the
 * whole line (`256 SHA256:… root@web (ED25519)`).
 */
function hostKeys(v: unknown, where: string, bad: (m: string) => Error): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const items = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(items) || !items.length) throw bad(`${where} must be a list of SHA256 fingerprints (SHA256:…)`);
  return items.map((item, j) => {
    const m = typeof item === 'string' ? SHA256.exec(item.trim()) : null;
    if (!m) throw bad(`${where}[${j}]: not a SHA256 host key fingerprint (as \`ssh-keygen -lf KEY.pub\` or a cloud console prints it: SHA256: and 43 characters)`);
    return `SHA256:${m[1]}`;
  });
}

function optionalString(v: unknown, where: string, bad: (m: string) => Error): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v || v.startsWith('-')) throw bad(`${where} must be a name`);
  return v;
}
