// What useradd, usermod, userdel, groupadd, groupmod and gpasswd leave in /etc/passwd,
// /etc/group and /etc/shadow (and the home useradd -m makes): the predicted effects of the
// account kinds' changes, written into a dry run's predicted host. Ids chosen "auto" follow
// shadow's rules (next above the highest in UID_MIN..UID_MAX; system ids from 999 down).
import type { Overlay } from '../../host/predicted.js';
import type { HostView } from '../../host/types.js';
import { UnknownError } from '../../core/errors.js';
import { parseGroup, parsePasswd } from './passwd.js';

const PASSWD = '/etc/passwd';
const GROUP = '/etc/group';
const SHADOW = '/etc/shadow';

type Lines = (lines: string[]) => string[];

async function editLines(o: Overlay, path: string, edit: Lines): Promise<void> {
  const text = (await o.readFile(path)) ?? '';
  const st = await o.stat(path);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  await o.writeFile(path, edit(lines).join('\n') + '\n', { mode: st?.mode ?? 0o644, uid: st?.uid ?? 0, gid: st?.gid ?? 0 });
}

/** Replace field `i` (0-based) of the record named `name`. */
const setField = (name: string, i: number, value: string): Lines => (lines) =>
  lines.map((l) => {
    const f = l.split(':');
    if (f[0] !== name) return l;
    f[i] = value;
    return f.join(':');
  });

function freeId(used: Set<number>, system: boolean): number {
  if (system) {
    for (let id = 999; id >= 100; id--) if (!used.has(id)) return id;
    return 999;
  }
  const high = [...used].filter((i) => i >= 1000 && i < 60000);
  return high.length ? Math.max(...high) + 1 : 1000;
}

async function loginDefs(o: Overlay): Promise<{ homeMode: number }> {
  const text = (await o.readFile('/etc/login.defs')) ?? '';
  const value = (key: string) => new RegExp(`^\\s*${key}\\s+(\\S+)`, 'm').exec(text)?.[1];
  const mode = value('HOME_MODE');
  const umask = value('UMASK') ?? '022';
  return { homeMode: mode ? parseInt(mode, 8) : 0o777 & ~parseInt(umask, 8) };
}

export interface NewUser {
  name: string;
  uid?: number;
  system: boolean;
  /** The primary group's name; `userGroup`: a new group of the user's name (-U). */
  group: string;
  userGroup: boolean;
  groups: string[];
  home: string;
  createhome: boolean;
  shell?: string;
  fullname?: string;
  locked?: boolean;
}

/** useradd: passwd, shadow and group lines, and with -m a home holding /etc/skel. */
export async function predictUseradd(o: Overlay, u: NewUser): Promise<void> {
  const users = parsePasswd((await o.readFile(PASSWD)) ?? '');
  const groups = parseGroup((await o.readFile(GROUP)) ?? '');
  const uid = u.uid ?? freeId(new Set(users.map((x) => x.uid)), u.system);
  let gid = groups.find((g) => g.name === u.group)?.gid ?? 0;
  if (u.userGroup) {
    const used = new Set(groups.map((g) => g.gid));
    gid = used.has(uid) ? freeId(used, u.system) : uid;
    await editLines(o, GROUP, (l) => [...l, `${u.name}:x:${gid}:`]);
  }
  const shell = u.shell ?? /^SHELL=(.*)$/m.exec((await o.readFile('/etc/default/useradd')) ?? '')?.[1] ?? '/bin/sh';
  await editLines(o, PASSWD, (l) => [...l, `${u.name}:x:${uid}:${gid}:${u.fullname ?? ''}:${u.home}:${shell}`]);
  await editLines(o, SHADOW, (l) => [...l, `${u.name}:!:${Math.floor(Date.now() / 86_400_000)}:0:99999:7::${u.locked ? '1' : ''}:`]);
  if (u.groups.length) await editLines(o, GROUP, addMember(u.groups, u.name));
  if (u.createhome && !(await o.stat(u.home))) {
    await o.mkdir(u.home, { mode: (await loginDefs(o)).homeMode, uid, gid });
    for (const f of (await o.readdir('/etc/skel')) ?? []) {
      const data = await o.readBytes(`/etc/skel/${f}`);
      if (data) await o.writeFile(`${u.home}/${f}`, data, { mode: (await o.stat(`/etc/skel/${f}`))?.mode ?? 0o644, uid, gid });
    }
  }
}

const addMember = (groups: string[], user: string): Lines => (lines) =>
  lines.map((l) => {
    const f = l.split(':');
    if (!groups.includes(f[0])) return l;
    const members = (f[3] ?? '').split(',').filter(Boolean);
    if (!members.includes(user)) members.push(user);
    f[3] = members.join(',');
    return f.join(':');
  });

/** Every group's member list with `user` in exactly `groups` (gpasswd/usermod -G semantics). */
const exactMemberships = (groups: string[], user: string): Lines => (lines) =>
  lines.map((l) => {
    const f = l.split(':');
    if (f.length < 4) return l;
    const members = f[3].split(',').filter((m) => m && m !== user);
    if (groups.includes(f[0])) members.push(user);
    f[3] = members.join(',');
    return f.join(':');
  });

export interface UserEdit {
  uid?: number;
  gid?: number;
  home?: string;
  shell?: string;
  gecos?: string;
  /** The supplementary groups: exact, or added to (`append`). */
  groups?: { names: string[]; append: boolean };
  passwordLocked?: boolean;
  /** Account expiry in days since the epoch; null clears it. */
  expire?: number | null;
}

/** usermod with the given flags. */
export async function predictUsermod(o: Overlay, name: string, e: UserEdit): Promise<void> {
  const fields: [number, string | number | undefined][] = [[2, e.uid], [3, e.gid], [4, e.gecos], [5, e.home], [6, e.shell]];
  for (const [i, v] of fields) if (v !== undefined) await editLines(o, PASSWD, setField(name, i, String(v)));
  if (e.groups) await editLines(o, GROUP, e.groups.append ? addMember(e.groups.names, name) : exactMemberships(e.groups.names, name));
  if (e.passwordLocked !== undefined || e.expire !== undefined) {
    await editLines(o, SHADOW, (lines) =>
      lines.map((l) => {
        const f = l.split(':');
        if (f[0] !== name) return l;
        if (e.passwordLocked === true && !f[1].startsWith('!')) f[1] = '!' + f[1];
        if (e.passwordLocked === false) f[1] = f[1].replace(/^!+/, '');
        if (e.expire !== undefined) f[7] = e.expire === null ? '' : String(e.expire);
        return f.join(':');
      }),
    );
  }
}

/** userdel [-r]: the records go, the user leaves every group, its own group goes if empty. */
export async function predictUserdel(o: Overlay, name: string, purgeHome?: string): Promise<void> {
  const user = parsePasswd((await o.readFile(PASSWD)) ?? '').find((u) => u.name === name);
  await editLines(o, PASSWD, (l) => l.filter((x) => x.split(':')[0] !== name));
  await editLines(o, SHADOW, (l) => l.filter((x) => x.split(':')[0] !== name));
  await editLines(o, GROUP, (lines) =>
    exactMemberships([], name)(lines).filter((x) => {
      const f = x.split(':');
      return !(f[0] === name && Number(f[2]) === user?.gid && !f[3]);
    }),
  );
  if (purgeHome && (await o.stat(purgeHome))) await o.remove(purgeHome);
}

/** groupadd [-r] [-g GID]. */
export async function predictGroupadd(o: Overlay, name: string, gid: number | undefined, system: boolean): Promise<void> {
  const used = new Set(parseGroup((await o.readFile(GROUP)) ?? '').map((g) => g.gid));
  await editLines(o, GROUP, (l) => [...l, `${name}:x:${gid ?? freeId(used, system)}:`]);
}

export const predictGroupmod = (o: Overlay, name: string, gid: number) => editLines(o, GROUP, setField(name, 2, String(gid)));

/** gpasswd -M: the exact member list. */
export const predictMembers = (o: Overlay, name: string, members: string[]) => editLines(o, GROUP, setField(name, 3, members.join(',')));

export const predictGroupdel = (o: Overlay, name: string) => editLines(o, GROUP, (l) => l.filter((x) => x.split(':')[0] !== name));

/** In --test: an account a pending package's postinst makes is unknown until it is installed. */
export function comesWith(host: HostView, name: string, what: 'user' | 'group'): void {
  const from = host.predicted?.('account', name) as { source: string; until: string } | undefined;
  if (from) throw new UnknownError(`${what} ${name}`, from.source, from.until);
}
