// The server's roles and databases, read with one psql query per run (cached in host.facts until
// a change is applied). Before postgresql is installed or running the catalog cannot be seen:
// plans then say so (MissingError; in --test, blocked behind the pending install that brings it).
import { MissingError, UnknownError } from '../../core/errors.js';
import type { Overlay } from '../../host/predicted.js';
import type { HostView } from '../../host/types.js';
import { PSQL, psqlQuery } from './psql.js';

export interface Role {
  name: string;
  login: boolean;
  createdb: boolean;
  createrole: boolean;
  superuser: boolean;
  replication: boolean;
  inherit: boolean;
  /** The stored verifier (SCRAM-SHA-256$… or md5…), never the password; null when none is set. */
  password: string | null;
}

export interface Database {
  name: string;
  owner: string;
  encoding: string;
  collate: string;
  ctype: string;
}

export interface Catalog {
  roles: Map<string, Role>;
  databases: Map<string, Database>;
}

const QUERY = `SELECT json_build_object(
  'roles', (SELECT coalesce(json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'createdb', rolcreatedb,
      'createrole', rolcreaterole, 'superuser', rolsuper, 'replication', rolreplication, 'inherit', rolinherit,
      'password', rolpassword)), '[]') FROM pg_authid),
  'databases', (SELECT coalesce(json_agg(json_build_object('name', datname, 'owner', pg_get_userbyid(datdba),
      'encoding', pg_encoding_to_char(encoding), 'collate', datcollate, 'ctype', datctype)), '[]') FROM pg_database));
`;

/** Why the catalog cannot be read yet: the reason a plan gives instead of guessing. */
export const NOT_INSTALLED = 'unknown until postgresql is installed';

/**
 * The catalog as the changes planned so far leave it. While postgresql is a pending install
 * (--test), the cluster will be new: it holds none of the roles and databases a state names, so the
 * plan is still told, and `blocked` says it cannot be confirmed yet. Without a server and without
 * one to come: MissingError.
 */
export async function readCatalog(host: HostView): Promise<{ catalog: Catalog; blocked?: string }> {
  let result: Catalog | string;
  try {
    result = await host.facts.get('postgres-catalog', () => load(host));
  } catch (err) {
    if (!(err instanceof UnknownError)) throw err;
    return { catalog: withPredicted(host, { roles: new Map(), databases: new Map() }), blocked: `cannot plan yet: ${NOT_INSTALLED}` };
  }
  if (typeof result === 'string') throw new MissingError(result);
  return { catalog: withPredicted(host, result) };
}

/** A change's effect on the catalog, laid over the predicted host (a role or database made, altered or dropped). */
export function predictCatalog(o: Overlay, kind: 'role' | 'database', name: string, value: Role | Database | null): Promise<void> {
  o.setFact('postgres', 'catalog', { [`${kind}:${name}`]: value });
  return Promise.resolve();
}

function withPredicted(host: HostView, c: Catalog): Catalog {
  const predicted = host.predicted?.('postgres', 'catalog');
  if (!predicted) return c;
  const roles = new Map(c.roles);
  const databases = new Map(c.databases);
  for (const [key, value] of Object.entries(predicted)) {
    const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    const map = (kind === 'role' ? roles : databases) as Map<string, unknown>;
    if (value) map.set(name, value);
    else map.delete(name);
  }
  return { roles, databases };
}

async function load(host: HostView): Promise<Catalog | string> {
  if (!(await host.stat(PSQL))) return NOT_INSTALLED;
  const r = await psqlQuery(host, QUERY);
  if (r.exitCode !== 0) return `cannot read the postgresql catalog (is the server running?): ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`;
  return parseCatalog(r.stdout);
}

export function parseCatalog(text: string): Catalog {
  const doc = JSON.parse(text.trim()) as { roles: Role[]; databases: Database[] };
  return {
    roles: new Map(doc.roles.map((r) => [r.name, r])),
    databases: new Map(doc.databases.map((d) => [d.name, d])),
  };
}
