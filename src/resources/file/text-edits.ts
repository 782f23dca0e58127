// Salt's line- and block-level file edits: file.append, file.replace, file.blockreplace.
import type { Args } from '../../core/args.js';
import { StateFailure } from '../../core/errors.js';
import type { ResourceFunction } from '../resource.js';
import { appendLines, lines, planEdit } from './edit.js';
import { parsePath } from './paths.js';
import { jsFlags, jsPattern, jsReplacement } from './python-regex.js';

/** A string or a list of strings (`text`, `content`). */
function textList(a: Args, key: string): string[] {
  const v = a.raw(key);
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  a.problem(key, v === undefined ? 'is required' : 'expected a string or a list of strings');
  return [];
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface AppendSpec {
  path: string;
  chunks: string[];
  makedirs: boolean;
  ignoreWhitespace: boolean;
}

/** file.append: each chunk of `text` is added at the end unless the file holds it already. */
export const append: ResourceFunction<AppendSpec> = {
  parse(a) {
    return { path: parsePath(a), chunks: textList(a, 'text'), makedirs: a.bool('makedirs', false), ignoreWhitespace: a.bool('ignore_whitespace', true) };
  },
  async plan(spec, { host, secrets }) {
    const edit = (text: string | null) => {
      const now = text ?? '';
      const has = (chunk: string) => (spec.ignoreWhitespace ? squash(now).includes(squash(chunk)) : now.includes(chunk));
      return appendLines(now, spec.chunks.filter((c) => !has(c)).flatMap(lines));
    };
    const changes = await planEdit(host, { path: spec.path, secrets, edit, create: true, summary: (b, after) => `append ${lines(after).length - lines(b ?? '').length} line(s) to ${spec.path}` });
    return { changes };
  },
};

interface ReplaceSpec {
  path: string;
  pattern: RegExp;
  repl: string;
  /** What is appended (or prepended) when the pattern is not found; undefined: nothing. */
  notFound?: { text: string; where: 'append' | 'prepend' };
  ignoreIfMissing: boolean;
  showChanges: boolean;
}

/** file.replace: Python regex `pattern` → `repl` over the whole file (count, flags as Salt). */
export const replace: ResourceFunction<ReplaceSpec> = {
  parse(a) {
    const path = parsePath(a);
    const source = a.required('pattern');
    const repl = a.str('repl');
    if (repl === undefined) a.problem('repl', 'is required');
    const count = a.int('count') ?? 0;
    const flags = jsFlags(a.raw('flags') ?? 8);
    const pattern = jsPattern(source);
    if (typeof flags !== 'string') a.problem('flags', flags.error);
    if (typeof pattern !== 'string') a.problem('pattern', pattern.error);
    if (count > 1) a.problem('count', 'only 0 (every match) and 1 are supported');
    let regex = /$^/;
    try {
      if (typeof pattern === 'string' && typeof flags === 'string') regex = new RegExp(pattern, flags + (count === 1 ? '' : 'g'));
    } catch (err) {
      a.problem('pattern', `not a regular expression: ${(err as Error).message}`);
    }
    const append = a.bool('append_if_not_found', false);
    const prepend = a.bool('prepend_if_not_found', false);
    if (append && prepend) a.problem('prepend_if_not_found', 'give append_if_not_found or prepend_if_not_found, not both');
    const content = a.str('not_found_content') ?? repl ?? '';
    return {
      path,
      pattern: regex,
      repl: jsReplacement(repl ?? ''),
      notFound: append || prepend ? { text: content, where: append ? 'append' : 'prepend' } : undefined,
      ignoreIfMissing: a.bool('ignore_if_missing', false),
      showChanges: a.bool('show_changes', true),
    };
  },
  async plan(spec, { host, secrets }) {
    if (spec.ignoreIfMissing && !(await host.stat(spec.path))) return { changes: [], comment: `${spec.path} does not exist` };
    const edit = (text: string | null) => {
      const now = text ?? '';
      spec.pattern.lastIndex = 0;
      if (spec.pattern.test(now)) {
        spec.pattern.lastIndex = 0;
        return now.replace(spec.pattern, spec.repl);
      }
      // Not found: add the content, unless a line of the file is that content already.
      if (!spec.notFound || lines(now).includes(spec.notFound.text)) return now;
      return spec.notFound.where === 'append' ? appendLines(now, lines(spec.notFound.text)) : `${spec.notFound.text.replace(/\n?$/, '\n')}${now}`;
    };
    return { changes: await planEdit(host, { path: spec.path, secrets, edit, create: false, showChanges: spec.showChanges, summary: () => `replace in ${spec.path}` }) };
  },
};

interface BlockSpec {
  path: string;
  start: string;
  end: string;
  content: string[];
  notFound?: 'append' | 'prepend';
  showChanges: boolean;
}

/** file.blockreplace: the lines between the marker lines are `content`; the markers stay as written. */
export const blockreplace: ResourceFunction<BlockSpec> = {
  parse(a) {
    const content = a.raw('content');
    const append = a.bool('append_if_not_found', false);
    const prepend = a.bool('prepend_if_not_found', false);
    if (append && prepend) a.problem('prepend_if_not_found', 'give append_if_not_found or prepend_if_not_found, not both');
    return {
      path: parsePath(a),
      start: a.str('marker_start', '#-- start managed zone --'),
      end: a.str('marker_end', '#-- end managed zone --'),
      content: content === undefined || content === null ? [] : lines(String(content)),
      notFound: append ? 'append' : prepend ? 'prepend' : undefined,
      showChanges: a.bool('show_changes', true),
    };
  },
  async plan(spec, { host, secrets }) {
    let missing = false;
    const edit = (text: string | null) => {
      const all = lines(text ?? '');
      const from = all.findIndex((l) => l.includes(spec.start));
      const to = from < 0 ? -1 : all.findIndex((l, i) => i > from && l.includes(spec.end));
      if (from >= 0 && to > from) return [...all.slice(0, from + 1), ...spec.content, ...all.slice(to)].join('\n') + '\n';
      if (!spec.notFound) {
        missing = true;
        return text ?? '';
      }
      const block = [spec.start, ...spec.content, spec.end];
      return (spec.notFound === 'append' ? [...all, ...block] : [...block, ...all]).join('\n') + '\n';
    };
    const changes = await planEdit(host, { path: spec.path, secrets, edit, create: false, showChanges: spec.showChanges, summary: () => `replace the block between markers in ${spec.path}` });
    if (missing) throw new StateFailure(`markers not found in ${spec.path} (${JSON.stringify(spec.start)} … ${JSON.stringify(spec.end)}); set append_if_not_found: true to add the block`);
    return { changes };
  },
};
