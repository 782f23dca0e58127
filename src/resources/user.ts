// user.present / user.absent: a local account read from /etc/passwd, /etc/group and /etc/shadow,
// changed with one useradd or one usermod per plan. Conflicts are found in the plan, so --test shows them.
import { isAbsolute } from 'node:path';
import type { Args } from '../core/args.js';
import { MissingError, StateFailure } from '../core/errors.js';
import type { Change, ResourceFunction, ResourceKind } from './resource.js';
import { memberOf, readGroups, readPasswd, readShadow, type GroupEntry, type PasswdEntry } from './accounts/passwd.js';
import type { FileWriter, HostView } from '../host/types.js';
import { accountName, accountNames, quoted } from './accounts/shared.js';
import { run } from '../host/run.js';
import { comesWith, predictUseradd, predictUserdel, predictUsermod, type UserEdit } from './accounts/predict.js';

export interface UserSpec {
  name: string;
  uid?: number;
  /** Primary group, a name or a number as given; unset: Debian's own group named after the user. */
  gid?: string;
  /** Salt's gid_from_name: the primary group is the existing group named after the user. */
  gidFromName: boolean;
  /** Supplementary groups, the exact set unless remove_groups is false; unset: not managed. */
  groups?: string[];
  /** Added when they exist; without `groups` they are only ever added, never a reason to remove. */
  optionalGroups: string[];
  removeGroups: boolean;
  /** Unset: /home/NAME for a new user, left alone for an existing one (as Salt does). */
  home?: string;
  createhome: boolean;
  shell?: string;
  system: boolean;
  fullname?: string;
  locked?: boolean;
  allowUidChange: boolean;
  allowGidChange: boolean;
}

/** A passwd field: no ':' or newline (and for GECOS, no ',' which separates its parts). */
function field(a: Args, key: string, opts: { path?: boolean; gecos?: boolean } = {}): string | undefined {
  const v = a.str(key);
  if (v === undefined) return undefined;
  if (/[:\n]/.test(v) || (opts.gecos && v.includes(','))) a.problem(key, `must not contain ':'${opts.gecos ? ", ','" : ''} or a newline`);
  else if (opts.path && !isAbsolute(v)) a.problem(key, `must be an absolute path, got ${JSON.stringify(v)}`);
  return v;
}

export const present: ResourceFunction<UserSpec> = {
  parse(a) {
    let gid = a.str('gid');
    if (gid !== undefined && !/^\d+$/.test(gid)) accountName(a, 'gid');
    const gidFromName = a.bool('gid_from_name', false);
    if (gidFromName && gid !== undefined) a.problem('gid_from_name', 'give gid or gid_from_name, not both');
    else if (gidFromName) gid = a.name;
    return {
      gidFromName,
      name: accountName(a),
      uid: a.int('uid'),
      gid,
      groups: accountNames(a, 'groups'),
      optionalGroups: accountNames(a, 'optional_groups') ?? [],
      removeGroups: a.bool('remove_groups', true),
      home: field(a, 'home', { path: true }),
      createhome: a.bool('createhome', true),
      shell: field(a, 'shell', { path: true }),
      system: a.bool('system', false),
      fullname: field(a, 'fullname', { gecos: true }),
      locked: a.has('locked') ? a.bool('locked', false) : undefined,
      allowUidChange: a.bool('allow_uid_change', false),
      allowGidChange: a.bool('allow_gid_change', false),
    };
  },

  async plan(spec, { host }) {
    const users = await readPasswd(host);
    const groups = await readGroups(host);
    const current = users.find((u) => u.name === spec.name);
    if (!current) comesWith(host, spec.name, 'user');
    const taken = spec.uid === undefined ? undefined : users.find((u) => u.uid === spec.uid && u.name !== spec.name);
    if (taken) throw new StateFailure(`uid ${spec.uid} is already used by user '${taken.name}'`);

    const find = (g: string) => groups.find((e) => (/^\d+$/.test(g) ? e.gid === Number(g) : e.name === g));
    const primary = spec.gid === undefined ? undefined : find(spec.gid);
    // As in Salt, gid_from_name needs the group there: it never makes one.
    if (spec.gidFromName && !primary) throw new MissingError(`no group named '${spec.name}' (gid_from_name uses the existing group named after the user)`);
    // `gid: NAME` for a new user NAME is the group useradd -U makes with it.
    const userGroup = !current && (spec.gid === undefined ? !find(spec.name) : !primary && spec.gid === spec.name);
    const missing = [...(spec.gid !== undefined && !primary && !userGroup ? [spec.gid] : []), ...(spec.groups ?? []).filter((g) => !find(g))];

    const optional = spec.optionalGroups.filter((g) => find(g));
    const skipped = spec.optionalGroups.filter((g) => !find(g));
    const comment = skipped.length ? `optional groups not present: ${skipped.join(', ')}` : '';
    const primaryName = primary?.name ?? (current ? groups.find((g) => g.gid === current.gid)?.name : spec.gid ?? spec.name);
    const wanted = [...new Set([...(spec.groups ?? []).map((g) => find(g)?.name ?? g), ...optional])].filter((g) => g !== primaryName);
    const groupsSpec = { wanted, exact: spec.groups !== undefined && spec.removeGroups, primaryName };

    const changes = current ? await modifyUser(host, spec, current, primary, groups, groupsSpec) : [createUser(spec, primaryName!, userGroup, wanted)];
    if (missing.length) throw new MissingError(`no such group: ${quoted(missing)}`);
    const home = spec.home;
    if (current && home !== undefined && spec.createhome && !(await host.stat(home))) {
      const uid = spec.uid ?? current.uid;
      const gid = primary?.gid ?? current.gid;
      // useradd -m would copy /etc/skel; for an existing account an empty private home is enough.
      const make = (h: FileWriter) => h.mkdir(home, { parents: true, mode: 0o700, uid, gid });
      changes.push({ summary: `create home ${home}`, apply: make, predict: make });
    }
    return { changes, comment };
  },
};

function createUser(spec: UserSpec, primaryName: string, userGroup: boolean, groups: string[]): Change {
  const home = spec.home ?? `/home/${spec.name}`;
  const argv = ['useradd'];
  if (spec.system) argv.push('-r');
  if (spec.uid !== undefined) argv.push('-u', String(spec.uid));
  argv.push(...(userGroup ? ['-U'] : ['-g', primaryName]));
  if (groups.length) argv.push('-G', groups.join(','));
  argv.push('-d', home, spec.createhome ? '-m' : '-M');
  if (spec.shell !== undefined) argv.push('-s', spec.shell);
  if (spec.fullname !== undefined) argv.push('-c', spec.fullname);
  // useradd leaves the password locked ('!'); expiry is what also stops key logins.
  if (spec.locked) argv.push('-e', '1');
  argv.push(spec.name);
  const facts = [spec.uid !== undefined ? `uid ${spec.uid}` : '', `group ${primaryName}${userGroup ? ' (new)' : ''}`, `home ${home}`];
  if (groups.length) facts.push(`groups ${groups.join(',')}`);
  if (spec.locked) facts.push('locked');
  return {
    summary: `create user ${spec.name} (${facts.filter(Boolean).join(', ')})`,
    detail: { uid: spec.uid ?? 'auto', home, groups, shell: spec.shell ?? 'default', locked: spec.locked ?? false },
    apply: (h) => run(h, argv),
    predict: (o) =>
      predictUseradd(o, { ...spec, group: primaryName, userGroup, groups, home, createhome: spec.createhome }),
  };
}

interface GroupsSpec {
  wanted: string[];
  exact: boolean;
  primaryName?: string;
}

/** Everything about an existing account that differs, as one usermod. */
async function modifyUser(host: HostView, spec: UserSpec, cur: PasswdEntry, primary: GroupEntry | undefined, groups: GroupEntry[], g: GroupsSpec): Promise<Change[]> {
  const flags: string[] = [];
  const parts: string[] = [];
  const detail: Record<string, unknown> = {};
  const effect: UserEdit = {};
  const diff = (key: string, flag: string[], old: unknown, now: unknown, text = `${key} ${old} → ${now}`) => {
    flags.push(...flag);
    parts.push(text);
    detail[key] = { old, new: now };
  };
  if (spec.uid !== undefined && spec.uid !== cur.uid) {
    if (!spec.allowUidChange) throw new StateFailure(`uid ${cur.uid} → ${spec.uid} not permitted; set allow_uid_change: true (file ownership is not changed)`);
    diff('uid', ['-u', String(spec.uid)], cur.uid, spec.uid);
    effect.uid = spec.uid;
  }
  if (primary && primary.gid !== cur.gid) {
    if (!spec.allowGidChange) throw new StateFailure(`primary group ${cur.gid} → ${primary.gid} not permitted; set allow_gid_change: true`);
    diff('gid', ['-g', String(primary.gid)], cur.gid, primary.gid);
    effect.gid = primary.gid;
  }
  if (spec.home !== undefined && spec.home !== cur.home) {
    diff('home', ['-d', spec.home], cur.home, spec.home);
    effect.home = spec.home;
  }
  if (spec.shell !== undefined && spec.shell !== cur.shell) {
    diff('shell', ['-s', spec.shell], cur.shell, spec.shell);
    effect.shell = spec.shell;
  }
  const [fullname, ...gecosRest] = cur.gecos.split(',');
  if (spec.fullname !== undefined && spec.fullname !== fullname) {
    // Keep room number, phones etc.: only GECOS's first part is the full name.
    const gecos = [spec.fullname, ...gecosRest].join(',');
    diff('fullname', ['-c', gecos], fullname, spec.fullname, `fullname ${JSON.stringify(fullname)} → ${JSON.stringify(spec.fullname)}`);
    effect.gecos = gecos;
  }
  const have = memberOf(groups, spec.name).filter((n) => n !== g.primaryName);
  const add = g.wanted.filter((n) => !have.includes(n));
  const drop = g.exact ? have.filter((n) => !g.wanted.includes(n)) : [];
  if (add.length || drop.length) {
    const text = `groups ${[...add.map((n) => '+' + n), ...drop.map((n) => '-' + n)].join(' ')}`;
    diff('groups', g.exact ? ['-G', g.wanted.join(',')] : ['-a', '-G', add.join(',')], have, g.exact ? g.wanted : [...have, ...add], text);
    effect.groups = g.exact ? { names: g.wanted, append: false } : { names: add, append: true };
  }
  if (spec.locked !== undefined) lockFlags(spec.locked, (await readShadow(host)).find((s) => s.name === spec.name), diff, effect);
  if (!flags.length) return [];
  const argv = ['usermod', ...flags, spec.name];
  return [{ summary: parts.join('; '), detail, apply: (h) => run(h, argv), predict: (o) => predictUsermod(o, spec.name, effect) }];
}

type Diff = (key: string, flag: string[], old: unknown, now: unknown, text?: string) => void;

/**
 * Locked means password locked *and* account expired: with UsePAM (Debian's default) sshd lets
 * key logins through a locked password, but PAM's account check refuses an expired account.
 */
function lockFlags(locked: boolean, sh: { passwordLocked: boolean; hasPassword: boolean; expire?: number } | undefined, diff: Diff, effect: UserEdit): void {
  if (!sh) throw new StateFailure('user is in /etc/passwd but not in /etc/shadow');
  if (locked) {
    if (!sh.passwordLocked) diff('password', ['-L'], 'usable', 'locked', 'lock password');
    if (!sh.passwordLocked) effect.passwordLocked = true;
    if (sh.expire !== 1) diff('expire', ['-e', '1'], sh.expire ?? null, 1, 'expire account (no logins, keys included)');
    if (sh.expire !== 1) effect.expire = 1;
  } else {
    // A password that was never set stays '!': there is nothing to unlock, and usermod -U would refuse.
    if (sh.passwordLocked && sh.hasPassword) diff('password', ['-U'], 'locked', 'usable', 'unlock password');
    if (sh.passwordLocked && sh.hasPassword) effect.passwordLocked = false;
    if (sh.expire !== undefined) diff('expire', ['-e', ''], sh.expire, null, 'clear account expiry');
    if (sh.expire !== undefined) effect.expire = null;
  }
}

export interface UserAbsentSpec {
  name: string;
  purge: boolean;
  force: boolean;
}

export const absent: ResourceFunction<UserAbsentSpec> = {
  parse(a) {
    return { name: accountName(a), purge: a.bool('purge', false), force: a.bool('force', false) };
  },

  async plan(spec, { host }) {
    const user = (await readPasswd(host)).find((u) => u.name === spec.name);
    if (!user) return { changes: [] };
    const argv = ['userdel', ...(spec.purge ? ['-r'] : []), ...(spec.force ? ['-f'] : []), spec.name];
    return {
      changes: [
        {
          summary: `remove user ${spec.name} (uid ${user.uid}${spec.purge ? `, and home ${user.home}` : ''})`,
          apply: (h) => run(h, argv),
          predict: (o) => predictUserdel(o, spec.name, spec.purge ? user.home : undefined),
        },
      ],
    };
  },
};

export const user: ResourceKind = { present, absent };
