// Parses one rendered state file (Salt's SLS shape) into state declarations with line numbers.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { Problem } from '../core/errors.js';
import { REQUISITE_TYPES, stateKey, type Requisite, type RequisiteTarget, type StateDecl } from '../core/state.js';
import { parseConditions, parseOrder } from './global-args.js';

export interface ParsedSls {
  decls: StateDecl[];
  includes: { name: string; line: number }[];
  /** Salt's `extend:` entries: arguments merged into a state of another file once all are loaded. */
  extends: StateDecl[];
}

export const REQUISITE_KEYS = new Set(REQUISITE_TYPES.flatMap((t) => [t, `${t}_in`]));

/** Parse YAML text, reporting syntax errors with file:line. */
export function parseYaml(text: string, file: string, problems: Problem[]) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: true });
  const lineOf = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : 0;
  };
  for (const err of doc.errors) {
    // A quote never closed runs to the end of the file: name the line where it opened.
    const at = /^Missing closing .?quote/.test(err.message) ? quoteStart(doc, err.pos[0]) : undefined;
    const line = at !== undefined ? lineCounter.linePos(at).line : (err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line);
    problems.push({ file, line, message: `YAML: ${err.message.split('\n')[0]}` });
  }
  return { doc, lineOf, ok: doc.errors.length === 0 };
}

/** Where the quoted scalar running up to `end` starts. */
function quoteStart(doc: Document, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && range && range[0] < end && range[1] >= end) start = range[0];
    },
  });
  return start;
}

type LineOf = (n: unknown) => number;

export function parseSls(text: string, file: string, sls: string, startIndex: number, problems: Problem[]): ParsedSls {
  const out: ParsedSls = { decls: [], includes: [], extends: [] };
  const { doc, lineOf, ok } = parseYaml(text, file, problems);
  if (!ok || doc.contents === null) return out;
  if (!isMap(doc.contents)) {
    problems.push({ file, line: lineOf(doc.contents), message: 'a state file must be a mapping of state IDs' });
    return out;
  }
  let index = startIndex;
  const at: NextAt = Object.assign((line: number) => ({ file, sls, line, index: index++ }), { file });
  for (const pair of doc.contents.items) {
    const id = scalarKey(pair);
    const line = lineOf(pair.key);
    if (id === undefined) {
      problems.push({ file, line, message: 'state ID must be a string' });
      continue;
    }
    if (id === 'include') {
      const list = pair.value as Node;
      if (!isSeq(list) || !list.items.every((i) => isScalar(i) && typeof i.value === 'string')) {
        problems.push({ file, line, id, message: 'include: expected a list of state file names' });
        continue;
      }
      for (const item of list.items) out.includes.push({ name: String((item as { value: string }).value), line: lineOf(item) });
      continue;
    }
    if (id === 'extend') {
      out.extends.push(...parseExtend(pair.value as Node, at, lineOf, problems));
      continue;
    }
    if (id === 'exclude') {
      problems.push({ file, line, id, message: `'${id}' is not supported by brine` });
      continue;
    }
    out.decls.push(...parseBody(pair.value as Node, id, line, at, lineOf, problems));
  }
  return out;
}

/** An ID's body: `kind.function: args` pairs, or Salt's short form, a bare `kind.function` string. */
function parseBody(body: Node, id: string, line: number, at: NextAt, lineOf: LineOf, problems: Problem[], extend = false): StateDecl[] {
  const file = at.file;
  if (isScalar(body) && typeof body.value === 'string' && !extend) {
    const decl = parseFunction(body.value, null, id, at(line), lineOf, problems);
    return decl ? [decl] : [];
  }
  if (!isMap(body)) {
    problems.push({ file, line, id, message: 'expected a mapping of kind.function to arguments' });
    return [];
  }
  const out: StateDecl[] = [];
  for (const fnPair of body.items) {
    const key = scalarKey(fnPair);
    const fnLine = lineOf(fnPair.key);
    if (!key) {
      problems.push({ file, line: fnLine, id, message: 'expected kind.function as key' });
      continue;
    }
    const decl = parseFunction(key, fnPair.value as Node | null, id, at(fnLine), lineOf, problems, extend);
    if (decl) out.push(decl);
  }
  return out;
}

function parseExtend(value: Node, at: NextAt, lineOf: LineOf, problems: Problem[]): StateDecl[] {
  const { file } = at;
  const line = lineOf(value);
  if (!isMap(value)) {
    problems.push({ file, line, id: 'extend', message: 'extend: expected a mapping of state IDs' });
    return [];
  }
  return value.items.flatMap((pair) => {
    const id = scalarKey(pair);
    if (id === undefined) {
      problems.push({ file, line: lineOf(pair.key), id: 'extend', message: 'state ID must be a string' });
      return [];
    }
    return parseBody(pair.value as Node, id, lineOf(pair.key), at, lineOf, problems, true);
  });
}

function scalarKey(pair: Pair): string | undefined {
  const k = pair.key as Node;
  return isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number') ? String(k.value) : undefined;
}

type At = { file: string; sls: string; line: number; index: number };
/** The position of the next declaration (file order), and the file itself. */
type NextAt = ((line: number) => At) & { file: string };

function parseFunction(key: string, value: Node | null, id: string, at: At, lineOf: LineOf, problems: Problem[], extend = false): StateDecl | undefined {
  const { file, line } = at;
  let [kind, fn] = key.split('.', 2) as [string, string | undefined];
  const args: Record<string, unknown> = {};
  const argLines: Record<string, number> = {};
  const addArg = (k: Pair) => {
    const name = scalarKey(k);
    if (name === undefined) return problems.push({ file, line: lineOf(k.key), id, message: 'argument name must be a string' });
    if (name in args) return problems.push({ file, line: lineOf(k.key), id, field: name, message: 'argument given twice' });
    args[name] = octalAsWritten(k.value) ?? (k.value as Node | null)?.toJSON?.() ?? (isScalar(k.value) ? k.value.value : k.value ?? null);
    argLines[name] = lineOf(k.key);
  };
  if (isMap(value)) value.items.forEach(addArg);
  else if (isSeq(value)) {
    // Salt's list form: `- name: x` items, and in `kind: [function, ...]` the bare function name.
    for (const item of value.items) {
      if (isMap(item) && item.items.length === 1) addArg(item.items[0]);
      else if (isScalar(item) && typeof item.value === 'string' && !fn) fn = item.value;
      else problems.push({ file, line: lineOf(item), id, message: 'expected `- argument: value` items' });
    }
  } else if (value !== null && !(isScalar(value) && value.value === null)) {
    problems.push({ file, line, id, message: `arguments of ${key} must be a mapping` });
    return undefined;
  }
  if (!fn && !extend) {
    problems.push({ file, line, id, message: `'${key}' must name kind.function (e.g. file.managed)` });
    return undefined;
  }
  const requisites: Requisite[] = [];
  for (const rk of Object.keys(args)) {
    if (!REQUISITE_KEYS.has(rk)) continue;
    const type = rk.replace(/_in$/, '') as Requisite['type'];
    for (const target of parseTargets(args[rk], { file, line: argLines[rk], id, field: rk }, problems)) {
      requisites.push({ type, target, inverted: rk.endsWith('_in'), line: argLines[rk] });
    }
    delete args[rk];
  }
  const conditions = parseConditions(kind, args, argLines, { file, id }, problems);
  const order = parseOrder(args, argLines, { file, id }, problems);
  const name = args.name === undefined || args.name === null ? id : Array.isArray(args.name) ? args.name.join(' ') : String(args.name);
  checkName(name, kind, { file, line: argLines.name ?? line, id, field: 'name' }, problems);
  return { key: stateKey(id, kind), id, kind, fn: fn ?? '', name, args, argLines, requisites, conditions, order, sls: at.sls, file, line, index: at.index };
}

function parseTargets(value: unknown, at: Omit<Problem, 'message'>, problems: Problem[]): RequisiteTarget[] {
  const items = Array.isArray(value) ? value : [value];
  const out: RequisiteTarget[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push({ ref: item });
    else if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1) {
      const [k, v] = Object.entries(item)[0];
      if (typeof v !== 'string') problems.push({ ...at, message: `requisite '${k}' must name a state` });
      else out.push(k === 'sls' ? { sls: v } : { kind: k, ref: v });
    } else problems.push({ ...at, message: 'requisite must be an ID or `kind: ID`' });
  }
  return out;
}

/** `mode: 0644` or `0o750` as written: YAML 1.2 would read 0644 as decimal 644 and 0o750 as 488. */
function octalAsWritten(node: unknown): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'number') return undefined;
  const source = (node.srcToken as { source?: string } | undefined)?.source;
  return source && /^0o?[0-7]+$/.test(source) ? source : undefined;
}

/** A name with a control character is refused (a command may hold tabs and newlines). */
export function checkName(name: string, kind: string, at: Omit<Problem, 'message'>, problems: Problem[]): void {
  const control = controlCharacter(name, kind === 'cmd');
  if (control) problems.push({ ...at, message: `the name holds a control character (${control}); brine refuses it rather than make a path or unit nobody can type` });
}

/**
 * The first control character in a name, as U+XXXX, or undefined. A command (cmd.run) may span
 * lines and hold tabs; NUL never fits anywhere (no path, argv or unit can hold it).
 */
function controlCharacter(name: string, command: boolean): string | undefined {
  const m = (command ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/ : /[\x00-\x1f\x7f]/).exec(name);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
