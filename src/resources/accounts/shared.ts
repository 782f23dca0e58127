// What the account kinds (group, user, ssh_auth) share: checked account names in arguments.
import type { Args } from '../../core/args.js';
import { isAccountName } from './passwd.js';
import type { HostView } from '../../host/types.js';

/** The account name in `name` (or another field), checked so it can never read as an option. */
export function accountName(a: Args, key = 'name'): string {
  const name = key === 'name' ? a.name : a.required(key);
  if (name && !isAccountName(name)) a.problem(key, `not a valid user or group name: ${JSON.stringify(name)}`);
  return name;
}

/** A list of account names (members, groups), each checked like `accountName`. */
export function accountNames(a: Args, key: string): string[] | undefined {
  const names = a.strList(key);
  for (const n of names ?? []) if (!isAccountName(n)) a.problem(key, `not a valid user or group name: ${JSON.stringify(n)}`);
  return names;
}

/** "'a', 'b'" for messages. */
export const quoted = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * In --test, a command a plan runs as `user` cannot run while that user exists only in the
 * predicted host (an earlier state creates them): the reason it is blocked, or undefined.
 */
export async function awaitsUser(host: HostView, user: string | undefined): Promise<string | undefined> {
  if (!user || !host.predicted?.('file', '/etc/passwd')) return undefined;
  const real = await host.query(['id', '-u', '--', user]);
  return real.exitCode === 0 ? undefined : `runs as ${user}, whom an earlier state creates: known once it has run`;
}
