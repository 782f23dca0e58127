// file.recurse: a directory of the state tree copied to the host, file by file (each with its own
// diff), with Salt's include_pat / exclude_pat and `clean` (what the source lacks is removed).
import { dirname } from 'node:path';
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { StateFailure } from '../../core/errors.js';
import { isFileSource, type FileSource, type HostView } from '../../host/types.js';
import type { Change, ParseContext, ResourceFunction } from '../resource.js';
import { octal, planOwnership, resolveOwnership } from './ownership.js';
import { parsePath, planParents } from './paths.js';
import { hideSecretLines } from './secret-diff.js';

interface RecurseSpec {
  path: string;
  /** Each file's bytes, or a large one by reference (streamed, never held whole). */
  files: { rel: string; content: Buffer | FileSource }[];
  user?: string;
  group?: string;
  dirMode: number;
  fileMode?: number;
  makedirs: boolean;
  clean: boolean;
  excluded: (rel: string) => boolean;
}

/** Salt's patterns: a glob (`*` also crosses `/`, as fnmatch does), or `E@regex`. */
function matcher(pattern: string | undefined): ((rel: string) => boolean) | undefined {
  if (pattern === undefined) return undefined;
  if (pattern.startsWith('E@')) {
    const re = new RegExp(pattern.slice(2));
    return (rel) => re.test(rel);
  }
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (rel) => re.test(rel) || re.test(rel.split('/').pop()!);
}

export const recurse: ResourceFunction<RecurseSpec> = {
  parse(a: Args, ctx: ParseContext) {
    const path = parsePath(a);
    const source = a.required('source');
    const template = a.str('template');
    if (template !== undefined && template !== 'handlebars' && template !== 'none') a.problem('template', `must be handlebars or none (brine's templates are Handlebars), got ${JSON.stringify(template)}`);
    const include = matcher(a.str('include_pat'));
    const exclude = matcher(a.str('exclude_pat'));
    const excluded = (rel: string) => (include ? !include(rel) : false) || (exclude ? exclude(rel) : false);
    const src = source.replace(/\/+$/, '');
    const files = (ctx.listSource(src) ?? [])
      .filter((rel) => !excluded(rel))
      .map((rel) => {
        const loaded = ctx.loadSource(`${src}/${rel}`, { render: template === 'handlebars' });
        return { rel, content: typeof loaded === 'string' ? Buffer.from(loaded) : loaded };
      });
    return {
      path,
      files,
      user: a.str('user'),
      group: a.str('group'),
      dirMode: a.mode('dir_mode') ?? 0o755,
      fileMode: a.mode('file_mode'),
      makedirs: a.bool('makedirs', false),
      clean: a.bool('clean', false),
      excluded,
    };
  },

  async plan(spec, { host, secrets }) {
    const changes: Change[] = [];
    const { uid, gid } = await resolveOwnership(host, spec);
    const dirs = [...new Set(spec.files.flatMap((f) => ancestors(f.rel)))].sort();
    const root = await host.stat(spec.path);
    if (root && root.type !== 'directory') throw new StateFailure(`${spec.path} exists and is a ${root.type}, not a directory`);
    if (!root) changes.push(...(await planParents(host, spec.path, spec.makedirs)));
    for (const rel of ['', ...dirs]) {
      const p = rel ? `${spec.path}/${rel}` : spec.path;
      const st = rel || root ? await host.stat(p) : null;
      if (st && st.type !== 'directory') throw new StateFailure(`${p} exists and is a ${st.type}, not a directory`);
      if (!st) changes.push({ summary: `create directory ${p} (mode ${octal(spec.dirMode)})`, apply: (h) => h.mkdir(p, { mode: spec.dirMode, uid, gid }) });
    }
    for (const f of spec.files) {
      const p = `${spec.path}/${f.rel}`;
      const st = await host.stat(p);
      if (st && st.type !== 'file') throw new StateFailure(`${p} exists and is a ${st.type}, not a file`);
      const want = f.content;
      const large = isFileSource(want);
      const current = st && !large ? await host.readBytes(p) : null;
      const same = large ? st?.size === want.size && (await host.hashFile(p)) === want.sha256 : current?.equals(want);
      if (st && same) {
        changes.push(...(await planOwnership(host, p, st, { user: spec.user, group: spec.group, mode: spec.fileMode })).map((c) => ({ ...c, summary: `${p}: ${c.summary}` })));
        continue;
      }
      const mode = spec.fileMode ?? st?.mode ?? 0o644;
      changes.push({
        summary: `${st ? 'update' : 'create'} ${p}`,
        diff: large ? `File ${p} differs (${want.size} bytes, too large to diff)\n` : hideSecretLines(unifiedDiff(p, current, want), want, secrets),
        apply: (h) => h.writeFile(p, f.content, { mode, uid: uid ?? st?.uid, gid: gid ?? st?.gid }),
      });
    }
    if (spec.clean && root) changes.push(...(await planClean(host, spec, new Set([...spec.files.map((f) => f.rel), ...dirs]))));
    return { changes };
  },
};

/** `a/b/c` → [`a`, `a/b`]: the directories a file lives in, below the root. */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = dirname(rel); d !== '.'; d = dirname(d)) out.unshift(d);
  return out;
}

/** What is under the target but not in the source (and not excluded): removed, deepest first. */
async function planClean(host: HostView, spec: RecurseSpec, keep: Set<string>): Promise<Change[]> {
  const extra: string[] = [];
  const walk = async (rel: string) => {
    for (const name of (await host.readdir(rel ? `${spec.path}/${rel}` : spec.path)) ?? []) {
      const r = rel ? `${rel}/${name}` : name;
      if (spec.excluded(r)) continue;
      if (!keep.has(r)) extra.push(r);
      else if ((await host.stat(`${spec.path}/${r}`))?.type === 'directory') await walk(r);
    }
  };
  await walk('');
  return extra.map((r) => ({ summary: `remove ${spec.path}/${r} (clean: not in the source)`, apply: (h) => h.remove(`${spec.path}/${r}`) }));
}
