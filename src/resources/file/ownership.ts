// Owner, group and mode of a path: shared by file.managed and file.directory.
import type { Args } from '../../core/args.js';
import type { Change } from '../resource.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import { groupName, resolveGid, resolveUid, userName } from '../accounts/passwd.js';
import type { FileStat, HostView } from '../../host/types.js';

export interface Ownership {
  user?: string;
  group?: string;
  mode?: number;
}

export function parseOwnership(a: Args, modeKey = 'mode'): Ownership {
  return { user: a.str('user'), group: a.str('group'), mode: a.mode(modeKey) };
}

export const octal = (mode: number) => '0' + mode.toString(8).padStart(3, '0');

/** Numeric ids for the wanted owner; an unknown user or group is a plan error. */
export async function resolveOwnership(host: HostView, want: Ownership): Promise<{ uid?: number; gid?: number }> {
  const uid = want.user === undefined ? undefined : await resolveUid(host, want.user);
  if (want.user !== undefined && uid === undefined) throw new MissingError(`user '${want.user}' does not exist`);
  const gid = want.group === undefined ? undefined : await resolveGid(host, want.group);
  if (want.group !== undefined && gid === undefined) throw new MissingError(`group '${want.group}' does not exist`);
  return { uid, gid };
}

/** Changes that bring an existing path's owner, group and mode to what is wanted. */
export async function planOwnership(host: HostView, path: string, st: FileStat, want: Ownership): Promise<Change[]> {
  const { uid, gid } = await resolveOwnership(host, want);
  const changes: Change[] = [];
  if ((uid !== undefined && uid !== st.uid) || (gid !== undefined && gid !== st.gid)) {
    const from = `${await userName(host, st.uid)}:${await groupName(host, st.gid)}`;
    const to = `${want.user ?? (await userName(host, st.uid))}:${want.group ?? (await groupName(host, st.gid))}`;
    changes.push({
      summary: `owner ${from} → ${to}`,
      detail: { owner: { old: from, new: to } },
      apply: (h) => h.chown(path, uid ?? st.uid, gid ?? st.gid),
      predict: (h) => h.chown(path, uid ?? st.uid, gid ?? st.gid),
    });
  }
  if (want.mode !== undefined && want.mode !== st.mode) {
    changes.push({
      summary: `mode ${octal(st.mode)} → ${octal(want.mode)}`,
      detail: { mode: { old: octal(st.mode), new: octal(want.mode) } },
      apply: (h) => h.chmod(path, want.mode!),
      predict: (h) => h.chmod(path, want.mode!),
    });
  }
  return changes;
}
