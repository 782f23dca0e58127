// The server's roles and databases, read with one psql query per run (cached in host.facts until
// a change is applied). Before postgresql is installed or running the catalog cannot be seen:
// plans then say so (MissingError, pending behind the state that brings it in --test).
import { MissingError } from '../../core/errors.js';
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

/** The catalog, or a MissingError (with the changes the plan can still predict) when it cannot be read. */
export async function readCatalog(host: HostView, predicted: () => { summary: string }[]): Promise<Catalog> {
  const result = await host.facts.get('postgres-catalog', () => load(host));
  if (typeof result === 'string') {
    const err = new MissingError(result);
    // No server yet means a new cluster: it holds none of the roles and databases a state names.
    if (result === NOT_INSTALLED) err.changes = predicted();
    throw err;
  }
  return result;
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
