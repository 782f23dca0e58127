// Talking to the local PostgreSQL server: `psql` as the `postgres` superuser over the unix
// socket, argv only, SQL (and anything secret in it) on stdin; identifiers and literals quoted.
import type { Args } from '../../core/args.js';
import { CommandError } from '../../core/errors.js';
import type { CommandResult, Host, HostView } from '../../host/types.js';

/** Where Debian's postgresql-client-common puts the wrapper that finds the cluster's psql. */
export const PSQL = '/usr/bin/psql';

/** psql as postgres on the default socket: no ~/.psqlrc, stop at the first error, bare output. */
const ARGV = ['runuser', '-u', 'postgres', '--', PSQL, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=terse', '-d', 'postgres'];

/** A reading query (the catalog); the plan's only way in. */
export function psqlQuery(host: HostView, sql: string): Promise<CommandResult> {
  // cwd /: runuser keeps root's cwd, which postgres may not enter.
  return host.query(ARGV, { input: sql, cwd: '/' });
}

/** A changing statement; a failure fails the state with psql's message (never the SQL: it is on stdin). */
export async function psqlExec(host: Host, sql: string): Promise<void> {
  const r = await host.exec(ARGV, { input: sql, cwd: '/' });
  if (r.exitCode !== 0 || /^(ERROR|FATAL):/m.test(r.stderr)) throw new CommandError([...ARGV, '< SQL on stdin'], r);
}

/** "name" with inner quotes doubled: any role or database name is one identifier. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** 'text' with inner quotes doubled (standard_conforming_strings, the default since 9.1). */
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** PostgreSQL truncates longer names silently (NAMEDATALEN 64): a plan would never converge. */
const MAX_NAME_BYTES = 63;

/** A role or database name (`name`, or an optional field such as `owner`), checked so the server keeps it as written. */
export function objectName(a: Args, key?: string): string | undefined {
  const name = key ? a.str(key) : a.name;
  if (name === undefined) return undefined;
  const field = key ?? 'name';
  if (!name || name.includes('\0')) a.problem(field, 'must be a non-empty name without NUL characters');
  else if (Buffer.byteLength(name) > MAX_NAME_BYTES) a.problem(field, `is longer than PostgreSQL's ${MAX_NAME_BYTES} bytes; the server would truncate it`);
  return name;
}
