// file.line: one line of a file, in Salt's modes — `replace` (lines matching `match`),
// `delete`, `insert` (at `location` start/end, or after `after` / before `before`) and
// `ensure` (the line right after `after` / before `before` is `content`).
import type { Args } from '../../core/args.js';
import { StateFailure } from '../../core/errors.js';
import type { ResourceFunction } from '../resource.js';
import { lines, planEdit } from './edit.js';
import { parsePath } from './paths.js';

type Mode = 'ensure' | 'replace' | 'delete' | 'insert';

interface LineSpec {
  path: string;
  mode: Mode;
  content: string;
  match?: RegExp;
  before?: RegExp;
  after?: RegExp;
  location?: 'start' | 'end';
  indent: boolean;
  create: boolean;
  showChanges: boolean;
}

function regex(a: Args, key: string): RegExp | undefined {
  const v = a.str(key);
  if (v === undefined) return undefined;
  try {
    return new RegExp(v);
  } catch (err) {
    a.problem(key, `not a regular expression: ${(err as Error).message}`);
    return undefined;
  }
}

/** The file with the line as the state wants it; throws when the anchors it needs are missing. */
export function editLine(spec: LineSpec, text: string): string {
  const all = lines(text);
  const same = (l: string) => l.trim() === spec.content.trim();
  const indented = (like: string | undefined) => (spec.indent && like !== undefined ? /^\s*/.exec(like)![0] : '') + spec.content.trim();
  const find = (re: RegExp | undefined) => (re ? all.findIndex((l) => re.test(l)) : -1);
  const out = (xs: string[]) => (xs.length ? xs.join('\n') + '\n' : '');
  const match = spec.match ?? new RegExp(spec.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  switch (spec.mode) {
    case 'delete':
      return out(all.filter((l) => !match.test(l)));
    case 'replace':
      return out(all.map((l) => (match.test(l) && !same(l) ? indented(l) : l)));
    case 'insert': {
      if (all.some(same)) return text;
      if (spec.location === 'start') return out([spec.content, ...all]);
      if (spec.location === 'end' || (!spec.after && !spec.before)) return out([...all, spec.content]);
      const at = spec.after ? find(spec.after) : find(spec.before);
      if (at < 0) throw new StateFailure(`no line matches ${spec.after ? `after: ${spec.after.source}` : `before: ${spec.before!.source}`}`);
      const pos = spec.after ? at + 1 : at;
      return out([...all.slice(0, pos), indented(all[at]), ...all.slice(pos)]);
    }
    case 'ensure': {
      if (!spec.after && !spec.before) throw new StateFailure('mode ensure needs after or before');
      const a = find(spec.after);
      const b = find(spec.before);
      if ((spec.after && a < 0) || (spec.before && b < 0)) throw new StateFailure(`no line matches ${spec.after && a < 0 ? `after: ${spec.after.source}` : `before: ${spec.before!.source}`}`);
      if (spec.after && spec.before) {
        if (b <= a) throw new StateFailure('the before line comes before the after line');
        if (b - a === 2 && same(all[a + 1])) return text;
        return out([...all.slice(0, a + 1), indented(all[a]), ...all.slice(b)]);
      }
      const next = spec.after ? a + 1 : b - 1;
      if (next >= 0 && next < all.length && same(all[next])) return text;
      const pos = spec.after ? a + 1 : b;
      return out([...all.slice(0, pos), indented(all[spec.after ? a : b]), ...all.slice(pos)]);
    }
  }
}

export const line: ResourceFunction<LineSpec> = {
  parse(a) {
    const spec: LineSpec = {
      path: parsePath(a),
      mode: a.oneOf('mode', ['ensure', 'replace', 'delete', 'insert'] as const, 'ensure'),
      content: a.str('content') ?? '',
      match: regex(a, 'match'),
      before: regex(a, 'before'),
      after: regex(a, 'after'),
      location: a.has('location') ? a.oneOf('location', ['start', 'end'] as const, 'end') : undefined,
      indent: a.bool('indent', true),
      create: a.bool('create', false),
      showChanges: a.bool('show_changes', true),
    };
    if (spec.mode !== 'delete' && !a.has('content')) a.problem('content', `is required for mode ${spec.mode}`);
    if (/[\n\r]/.test(spec.content)) a.problem('content', 'must be one line');
    if (spec.mode === 'delete' && !spec.match && !a.has('content')) a.problem('match', 'mode delete needs match or content');
    return spec;
  },
  async plan(spec, { host, secrets }) {
    const changes = await planEdit(host, { path: spec.path, secrets, edit: (t) => editLine(spec, t ?? ''), create: spec.create, showChanges: spec.showChanges, summary: () => `${spec.mode} a line in ${spec.path}` });
    return { changes };
  },
};
