// What the account kinds (group, user, ssh_auth) share: checked account names in arguments.
import type { Args } from '../../core/args.js';
import { isAccountName } from './passwd.js';

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
