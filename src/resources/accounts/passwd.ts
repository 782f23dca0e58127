// Users and groups read straight from /etc/passwd and /etc/group (no getent, no process).
import type { HostView } from '../../host/types.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** The records of a colon-separated database file (passwd, group, shadow) with at least `fields` fields. */
function colonRecords(text: string, fields: number): string[][] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= fields);
}

export function parsePasswd(text: string): PasswdEntry[] {
  return colonRecords(text, 7)
    .map(([name, , uid, gid, gecos, home, shell]) => ({ name, uid: Number(uid), gid: Number(gid), gecos, home, shell }));
}

export function parseGroup(text: string): GroupEntry[] {
  return colonRecords(text, 4)
    .map(([name, , gid, members]) => ({ name, gid: Number(gid), members: members ? members.split(',').filter(Boolean) : [] }));
}

export function readPasswd(host: HostView): Promise<PasswdEntry[]> {
  return host.facts.get('passwd', async () => parsePasswd((await host.readFile('/etc/passwd')) ?? ''));
}

export function readGroups(host: HostView): Promise<GroupEntry[]> {
  return host.facts.get('group', async () => parseGroup((await host.readFile('/etc/group')) ?? ''));
}

/** A user name or numeric uid → uid; undefined when no such user exists (yet). */
export async function resolveUid(host: HostView, user: string): Promise<number | undefined> {
  if (/^\d+$/.test(user)) return Number(user);
  return (await readPasswd(host)).find((u) => u.name === user)?.uid;
}

export async function resolveGid(host: HostView, group: string): Promise<number | undefined> {
  if (/^\d+$/.test(group)) return Number(group);
  return (await readGroups(host)).find((g) => g.name === group)?.gid;
}

export async function userName(host: HostView, uid: number): Promise<string> {
  return (await readPasswd(host)).find((u) => u.uid === uid)?.name ?? String(uid);
}

export async function groupName(host: HostView, gid: number): Promise<string> {
  return (await readGroups(host)).find((g) => g.gid === gid)?.name ?? String(gid);
}

/**
 * What a plan needs from /etc/shadow, and nothing more: the hash itself is never kept.
 * `expire` is days since the epoch (1 = "expired since 1970-01-02"), undefined when unset.
 */
export interface ShadowEntry {
  name: string;
  /** The password field starts with '!' (usermod -L, or useradd's "no password yet"). */
  passwordLocked: boolean;
  /** There is a real hash behind any '!' prefix, so `usermod -U` can unlock it. */
  hasPassword: boolean;
  expire?: number;
}

export function parseShadow(text: string): ShadowEntry[] {
  return colonRecords(text, 8)
    .map(([name, password, , , , , , expire]) => {
      const hash = password.replace(/^!+/, '');
      return {
        name,
        passwordLocked: password.startsWith('!'),
        hasPassword: hash !== '' && !hash.startsWith('*'),
        expire: /^\d+$/.test(expire) ? Number(expire) : undefined,
      };
    });
}

/** Needs root, so only kinds that ask about locking read it. */
export function readShadow(host: HostView): Promise<ShadowEntry[]> {
  return host.facts.get('shadow', async () => parseShadow((await host.readFile('/etc/shadow')) ?? ''));
}

/** Names of the groups that list `user` as a member (supplementary groups; not the primary). */
export function memberOf(groups: GroupEntry[], user: string): string[] {
  return groups.filter((g) => g.members.includes(user)).map((g) => g.name);
}

/**
 * User and group names that useradd/groupadd accept and that can never read as an option
 * or break a passwd line: no leading '-', no ':' ',' or whitespace.
 */
export function isAccountName(name: string): boolean {
  return /^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(name);
}
