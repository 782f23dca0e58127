// Users and groups read straight from /etc/passwd and /etc/group (no getent, no process).
import type { HostView } from './types.js';

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

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7)
    .map(([name, , uid, gid, gecos, home, shell]) => ({ name, uid: Number(uid), gid: Number(gid), gecos, home, shell }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
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
