// group.present / group.absent: a local group, its gid and members, read from /etc/group and
// changed with groupadd/groupmod/gpasswd/groupdel. Conflicts are found in the plan, so --test shows them.
import { MissingError, StateFailure } from '../core/errors.js';
import type { Change, ResourceFunction, ResourceKind } from './resource.js';
import { readGroups, readPasswd } from './accounts/passwd.js';
import { accountName, accountNames, quoted } from './accounts/shared.js';
import { run } from '../host/run.js';
import { comesWith, predictGroupadd, predictGroupdel, predictGroupmod, predictMembers } from './accounts/predict.js';

export interface GroupSpec {
  name: string;
  gid?: number;
  system: boolean;
  /** Exact member list (Salt's `members`); excludes addusers/delusers. */
  members?: string[];
  addusers: string[];
  delusers: string[];
}

export const present: ResourceFunction<GroupSpec> = {
  parse(a) {
    const spec: GroupSpec = {
      name: accountName(a),
      gid: a.int('gid'),
      system: a.bool('system', false),
      members: accountNames(a, 'members'),
      addusers: accountNames(a, 'addusers') ?? [],
      delusers: accountNames(a, 'delusers') ?? [],
    };
    if (spec.members && (spec.addusers.length || spec.delusers.length)) a.problem('members', 'members cannot be combined with addusers or delusers');
    return spec;
  },

  async plan(spec, { host }) {
    const groups = await readGroups(host);
    const current = groups.find((g) => g.name === spec.name);
    if (!current) comesWith(host, spec.name, 'group');
    // Checked before anything else, so a dry run fails exactly where the real run would.
    const taken = spec.gid === undefined ? undefined : groups.find((g) => g.gid === spec.gid && g.name !== spec.name);
    if (taken) throw new StateFailure(`gid ${spec.gid} is already used by group '${taken.name}'`);

    const changes: Change[] = [];
    if (!current) {
      const argv = ['groupadd', ...(spec.system ? ['-r'] : []), ...(spec.gid !== undefined ? ['-g', String(spec.gid)] : []), spec.name];
      changes.push({
        summary: `create group ${spec.name}${spec.gid !== undefined ? ` (gid ${spec.gid})` : ''}`,
        detail: { gid: { old: null, new: spec.gid ?? 'auto' } },
        apply: (h) => run(h, argv),
        predict: (o) => predictGroupadd(o, spec.name, spec.gid, spec.system),
      });
    } else if (spec.gid !== undefined && current.gid !== spec.gid) {
      changes.push({
        summary: `gid ${current.gid} → ${spec.gid}`,
        detail: { gid: { old: current.gid, new: spec.gid } },
        apply: (h) => run(h, ['groupmod', '-g', String(spec.gid), spec.name]),
        predict: (o) => predictGroupmod(o, spec.name, spec.gid!),
      });
    }

    const have = current?.members ?? [];
    const adding = spec.members ?? spec.addusers;
    const users = new Set((await readPasswd(host)).map((u) => u.name));
    const unknown = adding.filter((u) => !users.has(u));
    if (unknown.length) throw new MissingError(`no such user: ${quoted(unknown)}`);
    const want = spec.members ?? [...have.filter((u) => !spec.delusers.includes(u)), ...spec.addusers.filter((u) => !have.includes(u))];
    const added = want.filter((u) => !have.includes(u));
    const removed = have.filter((u) => !want.includes(u));
    if (added.length || removed.length) {
      changes.push({
        summary: `members ${[...added.map((u) => '+' + u), ...removed.map((u) => '-' + u)].join(' ')}`,
        detail: { members: { old: have, new: want } },
        // One gpasswd -M sets the whole list (and /etc/gshadow with it).
        apply: (h) => run(h, ['gpasswd', '-M', want.join(','), spec.name]),
        predict: (o) => predictMembers(o, spec.name, want),
      });
    }
    return { changes };
  },
};

export const absent: ResourceFunction<{ name: string }> = {
  parse(a) {
    return { name: accountName(a) };
  },

  async plan(spec, { host }) {
    const group = (await readGroups(host)).find((g) => g.name === spec.name);
    if (!group) return { changes: [] };
    const owner = (await readPasswd(host)).find((u) => u.gid === group.gid);
    if (owner) throw new StateFailure(`group ${spec.name} is the primary group of user '${owner.name}'; groupdel would refuse`);
    return {
      changes: [{ summary: `remove group ${spec.name} (gid ${group.gid})`, apply: (h) => run(h, ['groupdel', spec.name]), predict: (o) => predictGroupdel(o, spec.name) }],
    };
  },
};

export const group: ResourceKind = { present, absent };
