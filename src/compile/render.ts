// Handlebars rendering of state files and file templates: strict (a missing key is an error
// naming file and line), no HTML escaping, and YAML-safe insertion into state files.
import Handlebars from 'handlebars';
import { BrineError, SpecError } from '../core/errors.js';
import type { Secrets } from '../core/secrets.js';
import { templateKey, templateStore } from './template-cache.js';
import { markShellWords, SH_AT_START, shellWord, shellWordInYaml } from './shell-quote.js';

type HelperOptions = Handlebars.HelperOptions;
const hb = Handlebars.create();

/** One YAML scalar, whatever the value holds (JSON is YAML 1.2's flow subset). */
hb.registerHelper('yaml', (value: unknown) => JSON.stringify(value ?? null));
hb.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));
hb.registerHelper('default', (value: unknown, fallback: unknown) =>
  value === undefined || value === null || value === '' ? fallback : value,
);
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
hb.registerHelper('join', (list: unknown, sep: unknown) =>
  Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : '',
);
hb.registerHelper('indent', (n: number, text: unknown) =>
  String(text ?? '').replace(/\n/g, '\n' + ' '.repeat(n)),
);
hb.registerHelper('sh', (value: unknown, options: HelperOptions) => insert(() => shellWord(value), options));
hb.registerHelper('__sh_yaml', (value: unknown, options: HelperOptions) => insert(() => shellWordInYaml(value), options));
hb.registerHelper('__sh_start', (_value: unknown, options: HelperOptions) => insert(() => { throw new Error(SH_AT_START); }, options));
hb.registerHelper('keys', (obj: unknown) => (obj && typeof obj === 'object' ? Object.keys(obj) : []));

/**
 * Mappings merged left to right, later keys winning (Salt's `update`); a missing or null
 * argument counts as empty: `(merge pillar.app.env secrets)`.
 */
hb.registerHelper('merge', (...args: unknown[]) => {
  const options = args.pop() as HelperOptions;
  const out: Record<string, unknown> = {};
  for (const m of args) {
    if (m === undefined || m === null) continue;
    if (typeof m !== 'object' || Array.isArray(m)) throw new InsertError('merge: every argument must be a mapping', options);
    Object.assign(out, m);
  }
  return out;
});

/** Keys of a mapping whose entries have every named field set (Handlebars truthiness: [] is unset). */
hb.registerHelper('keys_where', (obj: unknown, ...rest: unknown[]) => {
  const fields = rest.slice(0, -1).map(String);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  const set = (v: unknown) => !Handlebars.Utils.isEmpty(v);
  return Object.entries(obj).filter(([, v]) => v && typeof v === 'object' && fields.every((f) => set((v as Record<string, unknown>)[f]))).map(([k]) => k);
});

/**
 * Salt's `raise` in Jinja: `{{raise "message" value…}}` fails the compile with file and line, so a
 * state file can refuse a pillar that would break the host before anything is touched.
 */
hb.registerHelper('raise', (...args: unknown[]) => {
  const options = args.pop() as HelperOptions;
  throw new InsertError(args.map(String).join(''), options);
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A flat mapping as an environment file (systemd's EnvironmentFile=, also valid POSIX sh):
 * `KEY="value"`, with exactly the characters systemd unescapes inside double quotes escaped.
 * `exclude="a,b"` leaves keys out. Errors name the key, never the value (it may be a secret).
 */
// Several mappings merge, later keys winning: `{{envfile pillar.app.env secrets exclude="tls"}}`.
hb.registerHelper('envfile', (...params: unknown[]) => {
  const options = params.pop() as HelperOptions;
  if (!params.length) throw new InsertError('envfile: expected a mapping', options);
  const merged: Record<string, unknown> = {};
  for (const obj of params) {
    if (obj === undefined || obj === null) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new InsertError('envfile: expected a mapping', options);
    Object.assign(merged, obj);
  }
  const exclude = String(options.hash?.exclude ?? '').split(',').filter(Boolean);
  let out = '';
  for (const [key, value] of Object.entries(merged)) {
    if (exclude.includes(key)) continue;
    if (!ENV_NAME.test(key)) throw new InsertError(`envfile: ${JSON.stringify(key)} is not a valid environment variable name`, options);
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new InsertError(`envfile: the value of '${key}' must be a string, number or boolean (got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : typeof value})`, options);
    }
    out += `${key}="${String(value).replace(/["\\`$]/g, '\\$&')}"\n`;
  }
  return out;
});

// A value inserted bare into YAML text stays one plain scalar only if it is this tame.
const PLAIN_SAFE = /^[A-Za-z0-9_./+=,~^%:-][A-Za-z0-9_./+=,~^%:@ -]*$/;
function isPlainSafe(text: string): boolean {
  return (
    text === '' ||
    (PLAIN_SAFE.test(text) && !/: |:$| #|^- |^-$|^:| $/.test(text))
  );
}

hb.registerHelper('__inline', (value: unknown, path: string, options: HelperOptions) => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    throw new InsertError(`'${path}' is a ${Array.isArray(value) ? 'list' : 'mapping'} and cannot be inserted as text; use {{yaml …}} or {{json …}}`, options);
  }
  const text = String(value);
  if (!isPlainSafe(text)) {
    throw new InsertError(`the value of '${path}' would change the YAML structure here; insert it with {{yaml …}} (one quoted scalar)`, options);
  }
  return text;
});

/** A helper's own error, with the template line it came from. */
function insert(make: () => string, options: HelperOptions): string {
  try {
    return make();
  } catch (err) {
    throw new InsertError((err as Error).message, options);
  }
}

class InsertError extends Error {
  readonly lineNumber?: number;
  constructor(message: string, options: HelperOptions) {
    super(message);
    const loc = (options as unknown as { loc?: { start?: { line: number } } }).loc;
    this.lineNumber = loc?.start?.line;
  }
}

hb.registerHelper('__defined', (value: unknown, path: string, options: HelperOptions) => {
  if (value === undefined) throw new InsertError(`'${path}' is not defined (missing pillar key or fact?)`, options);
  return value;
});

// Helpers whose arguments may be missing on purpose ({{#if pillar.tls}}); all others are strict.
const LENIENT = new Set(['if', 'unless', 'default', 'with', 'lookup', 'merge']);

type Node = Record<string, unknown> & { type?: string; loc?: unknown };
const pathNode = (name: string, loc: unknown): Node => ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc });

/** Make helper arguments strict, and (state files) route bare {{path}} through __inline. */
function guard(node: unknown, yamlSafe: boolean): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.guarded) return;
  const call = n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression';
  if (call) {
    const path = n.path as Node & { parts?: string[] };
    const name = path.type === 'PathExpression' && path.parts?.length === 1 ? path.parts[0] : undefined;
    let params = n.params as Node[];
    const isLookup = n.type === 'MustacheStatement' && params.length === 0 && !n.hash && !(name && hb.helpers[name]);
    if (isLookup && path.type === 'PathExpression') {
      const inline = yamlSafe && n.escaped;
      n.path = pathNode(inline ? '__inline' : '__defined', n.loc);
      const literal = { type: 'StringLiteral', value: path.original, original: path.original, loc: n.loc };
      n.params = inline ? [definedCall(path, n.loc), literal] : [safeLookup(path), literal];
      return;
    } else if (!name || !LENIENT.has(name)) {
      n.params = params.map((p) => (p.type === 'PathExpression' && !p.data && (p.parts as string[]).length > 0 ? definedCall(p, p.loc) : p));
    } else {
      // Lenient ({{#if pillar.a.b}}, default): a missing key is fine, a missing parent too.
      n.params = params.map((p) => (p.type === 'PathExpression' && !p.data ? safeLookup(p) : p));
    }
  }
  for (const key of ['body', 'program', 'inverse', 'params']) {
    const child = n[key];
    if (Array.isArray(child)) child.forEach((c) => guard(c, yamlSafe));
    else if (child) guard(child, yamlSafe);
  }
}

function definedCall(path: Node, loc: unknown): Node {
  return {
    guarded: true,
    type: 'SubExpression',
    path: pathNode('__defined', loc),
    params: [safeLookup(path), { type: 'StringLiteral', value: path.original, original: path.original, loc }],
    loc,
  };
}

/**
 * Handlebars does not guard deep lookups in helper arguments (`a.b.c` with `a.b` missing throws
 * a TypeError with no line), so `a.b.c` becomes `(lookup (lookup a "b") "c")`, which is null-safe.
 */
function safeLookup(path: Node): Node {
  const parts = path.parts as string[];
  if (path.type !== 'PathExpression' || parts.length < 2) return path;
  let node: Node = { ...path, parts: [parts[0]], original: parts[0] };
  for (const part of parts.slice(1)) {
    node = {
      type: 'SubExpression',
      path: pathNode('lookup', path.loc),
      params: [node, { type: 'StringLiteral', value: part, original: part, loc: path.loc }],
      loc: path.loc,
    };
  }
  return node;
}

export interface RenderOptions {
  /** State files: keep every inserted value one YAML scalar. */
  yamlSafe?: boolean;
  /** The run's secrets: a template whose own text holds one is never kept compiled (template-cache.ts). */
  secrets?: Secrets;
}

const COMPILE = { strict: true, noEscape: true };

/** Handlebars' precompiled form (a JS object literal) as a template of this environment. */
const fromSpec = (spec: string) => hb.template(new Function(`return ${spec}`)() as ReturnType<typeof hb.precompile>);

/** A larger template is compiled each run rather than grow the cache by its size every time. */
const MAX_KEPT = 256 * 1024;

/** The template for this text: from the run's store of compiled templates when it has it. */
function compiled(text: string, yamlSafe: boolean, secrets: Secrets | undefined): (context: object) => string {
  const store = templateStore();
  const key = store && secrets && text.length <= MAX_KEPT && !secrets.within(text) ? templateKey(text, yamlSafe) : undefined;
  const kept = key ? store!.get(key) : undefined;
  if (kept !== undefined) return fromSpec(kept);
  const ast = hb.parse(text);
  if (yamlSafe) markShellWords(ast, pathNode);
  guard(ast, yamlSafe);
  if (!key) return hb.compile(ast, COMPILE);
  // Only what parsed and passed the guard is kept: a kept template needs neither again.
  const spec = hb.precompile(ast, COMPILE) as string;
  store!.put(key, spec);
  return fromSpec(spec);
}

/** Render a template; errors become a SpecError naming the file and line. */
export function render(text: string, file: string, context: object, opts: RenderOptions = {}): string {
  try {
    return compiled(text, opts.yamlSafe ?? false, opts.secrets)(context);
  } catch (err) {
    const { line, message } = explain(err, text);
    throw new SpecError([{ file, line, message: `template: ${message}` }]);
  }
}

/** What went wrong, in words, and the line it is on (never past the end of the file). */
function explain(err: unknown, text: string): { line?: number; message: string } {
  const lines = text.replace(/\n$/, '').split('\n').length;
  const at = (line: number | undefined) => (line === undefined ? undefined : Math.min(Math.max(line, 1), lines));
  if (err instanceof BrineError) return { line: at(errorLine(err)), message: err.message };
  const msg = err instanceof Error ? err.message : String(err);
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)$/.exec(msg);
  if (missing) {
    const path = pathAt(text, Number(missing[2]), Number(missing[3])) ?? missing[1];
    return { line: at(errorLine(err)), message: `'${path}' is not defined (missing pillar key or fact?)` };
  }
  const parse = /^Parse error on line (\d+):\n(.*)\n.*\n(.*)$/s.exec(msg);
  if (parse) {
    const open = unclosedBlock(text);
    if (open && /got 'EOF'/.test(parse[3])) return { line: at(open.line), message: `'{{#${open.name}}}' is never closed (no '{{/${open.name}}}' before the end of the file)` };
    return { line: at(Number(parse[1])), message: `parse error near ${JSON.stringify(parse[2].trim())}: ${parse[3].replace(/'/g, '')}` };
  }
  const mismatch = /^(\S+) doesn't match (\S+) - (\d+):\d+$/.exec(msg);
  if (mismatch) return { line: at(Number(mismatch[3])), message: `'{{#${mismatch[1]}}}' is closed by '{{/${mismatch[2]}}}'` };
  const deep = /^Cannot read properties of (?:undefined|null) \(reading '([^']*)'\)/.exec(msg);
  if (deep) return { line: at(errorLine(err)), message: `a key above '${deep[1]}' is not defined (missing pillar key or fact?)` };
  return { line: at(errorLine(err)), message: msg.replace(/ - \d+:\d+$/, '').replace(/\s*\n\s*/g, ' ') };
}

function errorLine(err: unknown): number | undefined {
  const e = err as { lineNumber?: number; message?: string };
  if (typeof e.lineNumber === 'number') return e.lineNumber;
  const m = /on line (\d+)|- (\d+):\d+$/.exec(e.message ?? '');
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** The innermost block opened (`{{#if …}}`) and never closed, with its line. */
function unclosedBlock(text: string): { name: string; line: number } | undefined {
  const open: { name: string; line: number }[] = [];
  const re = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{~?\s*([#/])\s*\*?\s*([^\s}~]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!m[1]) continue;
    const line = text.slice(0, m.index).split('\n').length;
    if (m[1] === '#') open.push({ name: m[2], line });
    else if (open.at(-1)?.name === m[2]) open.pop();
  }
  return open.at(-1);
}

/** The dotted path written at line:column, to name the whole missing key (pillar.app.port). */
function pathAt(text: string, line: number, column: number): string | undefined {
  const src = text.split('\n')[line - 1] ?? '';
  const m = /^[\w.@/-]+/.exec(src.slice(column));
  return m?.[0];
}
