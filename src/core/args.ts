// Typed reading of a state's arguments; each problem is recorded with file, line, id and field.
import type { Problem } from './errors.js';
import { REQUISITE_TYPES, type StateDecl } from './state.js';
import { didYouMean } from './suggest.js';

/** What every state takes besides its own arguments (for "did you mean"). */
const GLOBAL_ARGUMENTS = [...REQUISITE_TYPES.flatMap((t) => [t, `${t}_in`]), 'unless', 'onlyif', 'creates', 'order', 'names'];

type Kind = 'string' | 'boolean' | 'integer' | 'list' | 'mapping';

/** What a parser asked an argument to be: the one definition JSON Schemas are made from. */
export type ArgShape =
  | { type: 'string' | 'boolean' | 'integer' | 'mode' | 'strings' | 'command' | 'mapping' | 'any'; required?: boolean }
  | { type: 'enum'; values: readonly string[] };

export class Args {
  private readonly used = new Set<string>(['name']);

  constructor(
    readonly decl: StateDecl,
    readonly problems: Problem[],
    /** Told of every argument read and its shape (the schema generator listens here). */
    private readonly onRead?: (key: string, shape: ArgShape) => void,
  ) {}

  get name(): string {
    return this.decl.name;
  }

  has(key: string): boolean {
    return this.decl.args[key] !== undefined && this.decl.args[key] !== null;
  }

  problem(field: string | undefined, message: string): void {
    const d = this.decl;
    this.problems.push({ file: d.file, line: (field && d.argLines[field]) || d.line, id: d.id, field, message });
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.decl.args[key] ?? undefined;
  }

  private wrong(key: string, want: Kind | string, got: unknown): undefined {
    const actual = got === null ? 'null' : Array.isArray(got) ? 'list' : typeof got === 'object' ? 'mapping' : typeof got;
    this.problem(key, `expected ${want}, got ${actual} (${JSON.stringify(got)})`);
    return undefined;
  }

  str(key: string): string | undefined;
  str(key: string, fallback: string): string;
  str(key: string, fallback?: string): string | undefined {
    this.onRead?.(key, { type: 'string' });
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return this.wrong(key, 'string', v);
  }

  required(key: string): string {
    this.onRead?.(key, { type: 'string', required: true });
    const v = this.str(key);
    if (v === undefined && !this.problems.some((p) => p.field === key && p.id === this.decl.id)) {
      this.problem(key, 'is required');
    }
    return v ?? '';
  }

  bool(key: string, fallback: boolean): boolean {
    this.onRead?.(key, { type: 'boolean' });
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    return this.wrong(key, 'boolean', v) ?? fallback;
  }

  int(key: string): number | undefined {
    this.onRead?.(key, { type: 'integer' });
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    return this.wrong(key, 'integer', v);
  }

  /** File mode: `644`, `'0644'`, `0o644` → 0o644. YAML reads 644 as a decimal number. */
  mode(key: string): number | undefined {
    this.onRead?.(key, { type: 'mode' });
    const v = this.take(key);
    if (v === undefined) return undefined;
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
    if (text === undefined || !/^(0o?)?[0-7]{3,4}$/.test(text)) return this.wrong(key, 'octal mode like 0644', v);
    return parseInt(text.replace(/^0o?/, '') || '0', 8);
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    this.onRead?.(key, { type: 'enum', values });
    const v = this.str(key);
    if (v === undefined) return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.problem(key, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    return fallback;
  }

  /** A string or a list of strings. */
  strList(key: string): string[] | undefined {
    this.onRead?.(key, { type: 'strings' });
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return [String(v)];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
    return this.wrong(key, 'string or list of strings', v);
  }

  /**
   * A command run without a shell: an argv list, or a string of plain words (quotes allowed). A
   * string with shell syntax (pipes, `&&`, `$VAR`, redirections…) is refused: splitting it into
   * words would run something other than what is written.
   */
  argv(key: string): string[] | undefined {
    this.onRead?.(key, { type: 'command' });
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      const syntax = shellSyntax(v);
      if (syntax) {
        this.problem(key, `${JSON.stringify(syntax)} is shell syntax, and this command runs without a shell: give an argv list (\`[cmd, arg…]\`), or \`[/bin/sh, -c, "…"]\` for a shell`);
        return undefined;
      }
      const words = splitWords(v);
      if (words.length) return words;
      return this.wrong(key, 'non-empty command', v);
    }
    if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
    return this.wrong(key, 'command (argv list or string)', v);
  }

  /** Names the shape of an argument the parser reads its own way (for the schema). */
  shape(key: string, shape: ArgShape): void {
    this.onRead?.(key, shape);
  }

  /** The raw value, for arguments with their own shape (validated by the caller). */
  raw(key: string): unknown {
    this.onRead?.(key, { type: 'any' });
    return this.take(key);
  }

  mapping(key: string): Record<string, unknown> | undefined {
    this.onRead?.(key, { type: 'mapping' });
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    return this.wrong(key, 'mapping', v);
  }

  /**
   * Salt arguments brine knows but cannot honour exactly: each one given is an error saying why.
   * Presence is read without a lookup, so the schema never lists them as accepted.
   */
  refuse(reasons: Record<string, string>): void {
    for (const key of Object.keys(this.decl.args)) {
      if (!Object.hasOwn(reasons, key)) continue;
      this.used.add(key);
      this.problem(key, `not supported: ${reasons[key]}`);
    }
  }

  /** Report every argument nobody asked for: a typo must not pass silently. */
  done(): void {
    const known = [...this.used, ...GLOBAL_ARGUMENTS];
    for (const key of Object.keys(this.decl.args)) {
      if (!this.used.has(key)) this.problem(key, `unknown argument for ${this.decl.kind}.${this.decl.fn}${didYouMean(key, known)}`);
    }
  }
}

/** The first piece of shell syntax in a command string, if any (what word splitting would not honour). */
export function shellSyntax(text: string): string | undefined {
  if (/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(text)) return /^\s*[A-Za-z_][A-Za-z0-9_]*=/.exec(text)![0].trim();
  // Quoted text is literal to both (but for what a shell expands inside double quotes).
  const parts = /"((?:[^"\\]|\\.)*)"|'[^']*'|[^"']+|["']/g;
  for (let m = parts.exec(text); m; m = parts.exec(text)) {
    const found = m[1] !== undefined ? /\$[\w{(@*#?$!-]|[`\\]/.exec(m[1]) : m[0].startsWith("'") ? null : /[|&;<>()$`\\*?[\]{}~#\n"']/.exec(m[0]);
    if (found) return found[0];
  }
  return undefined;
}

/** Split a command string into words, honouring simple quotes; no shell features. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  }
  return words;
}
