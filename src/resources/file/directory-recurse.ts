// file.directory's `recurse`: owner, group and modes applied to everything below the directory
// (Salt's user, group, mode, ignore_files, ignore_dirs). Symlinks are left as they are.
import type { Args } from '../../core/args.js';
import type { FileWriter, HostView } from '../../host/types.js';
import type { Change } from '../resource.js';
import { octal, resolveOwnership } from './ownership.js';

export interface Recurse {
  user: boolean;
  group: boolean;
  mode: boolean;
  ignoreFiles: boolean;
  ignoreDirs: boolean;
  /** Salt's `silent`: the changes name no paths. */
  silent: boolean;
}

const VALUES = ['user', 'group', 'mode', 'ignore_files', 'ignore_dirs', 'silent'] as const;

export function parseRecurse(a: Args, own: { user?: string; group?: string }): Recurse | undefined {
  a.shape('recurse', { type: 'strings' });
  const list = a.strList('recurse');
  if (list === undefined) return undefined;
  for (const v of list) if (!(VALUES as readonly string[]).includes(v)) a.problem('recurse', `unknown value ${JSON.stringify(v)} (Salt's: ${VALUES.join(', ')})`);
  const r = { user: list.includes('user'), group: list.includes('group'), mode: list.includes('mode'), ignoreFiles: list.includes('ignore_files'), ignoreDirs: list.includes('ignore_dirs'), silent: list.includes('silent') };
  if (r.user && own.user === undefined) a.problem('recurse', 'recurse names user, but the state sets no user');
  if (r.group && own.group === undefined) a.problem('recurse', 'recurse names group, but the state sets no group');
  if (r.ignoreFiles && r.ignoreDirs) a.problem('recurse', 'ignore_files and ignore_dirs together leave nothing to change');
  return r;
}

interface Entry {
  path: string;
  dir: boolean;
  uid: number;
  gid: number;
  mode: number;
}

/** Everything below `root` (not root itself), symlinks skipped; read through the view, so a predicted tree counts. */
async function walk(host: HostView, root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const visit = async (dir: string) => {
    for (const name of (await host.readdir(dir)) ?? []) {
      const path = `${dir === '/' ? '' : dir}/${name}`;
      const st = await host.stat(path);
      if (!st || st.type === 'symlink') continue;
      out.push({ path, dir: st.type === 'directory', uid: st.uid, gid: st.gid, mode: st.mode });
      if (st.type === 'directory') await visit(path);
    }
  };
  await visit(root);
  return out;
}

export async function planRecurse(host: HostView, root: string, r: Recurse, want: { user?: string; group?: string; dirMode?: number; fileMode?: number }): Promise<Change[]> {
  const { uid, gid } = await resolveOwnership(host, { user: r.user ? want.user : undefined, group: r.group ? want.group : undefined });
  const entries = (await walk(host, root)).filter((e) => !(e.dir ? r.ignoreDirs : r.ignoreFiles));
  const owner = entries.filter((e) => (uid !== undefined && e.uid !== uid) || (gid !== undefined && e.gid !== gid));
  const changes: Change[] = [];
  const paths = (list: Entry[]) => (r.silent ? undefined : { paths: list.map((e) => e.path) });
  const count = (list: Entry[], one: string, many: string) => `${list.length} ${list.length === 1 ? one : many}`;
  if (owner.length) {
    const chown = async (h: FileWriter) => {
      for (const e of owner) await h.chown(e.path, uid ?? e.uid, gid ?? e.gid);
    };
    const to = [r.user ? want.user : '', r.group ? want.group : ''].filter(Boolean).join(':');
    changes.push({ summary: `recurse: owner → ${to} on ${count(owner, 'path', 'paths')} below ${root}`, detail: paths(owner), apply: chown, predict: chown });
  }
  for (const [dir, mode] of [[true, want.dirMode], [false, want.fileMode]] as const) {
    if (!r.mode || mode === undefined) continue;
    const off = entries.filter((e) => e.dir === dir && e.mode !== mode);
    if (!off.length) continue;
    const chmod = async (h: FileWriter) => {
      for (const e of off) await h.chmod(e.path, mode);
    };
    changes.push({ summary: `recurse: mode → ${octal(mode)} on ${(dir ? count(off, 'directory', 'directories') : count(off, 'file', 'files'))} below ${root}`, detail: paths(off), apply: chmod, predict: chmod });
  }
  return changes;
}
