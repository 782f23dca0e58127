// Masks secret values by value, wherever text leaves brine (reports, JSON, diffs, errors, logs).

export const MASK = '********';
/**
 * Shorter values would mask ordinary words (and a 3-character secret would pass for one), so
 * compiling refuses a secret shorter than this (pillar.ts); an empty one has nothing to hide.
 */
export const MIN_SECRET_LENGTH = 6;

/** A value brine cannot mask without masking ordinary text: compiling refuses it. */
export function tooShortToMask(value: unknown): boolean {
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value).trim() : undefined;
  return text !== undefined && text.length > 0 && text.length < MIN_SECRET_LENGTH;
}

// Placeholders for secret values in text kept on disk (compile/template-cache.ts): characters of
// Unicode's private use area, which YAML and JSON carry as they are, numbered in between.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** A value with each placeholder `placehold` made put back: the secret values, in strings and keys. */
export function fillHeld<T>(value: T, values: string[]): T {
  const fill = (s: string) => (s.includes(OPEN) ? s.replace(PLACEHOLDER, (m, n: string) => values[Number(n)] ?? m) : s);
  if (typeof value === 'string') return fill(value) as T;
  if (Array.isArray(value)) return value.map((v) => fillHeld(v, values)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[fill(k)] = fillHeld(v, values);
    return out as T;
  }
  return value;
}

export class Secrets {
  private readonly values = new Set<string>();
  /** Lines of multi-line secrets too short to mask inside other text: masked where a line is just that. */
  private readonly wholeLines = new Set<string>();
  private sorted: string[] | null = null;

  add(value: unknown): void {
    if (typeof value === 'number' || typeof value === 'bigint') value = String(value);
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    this.values.add(trimmed);
    // The forms a value takes once escaped for JSON, a double-quoted env file or YAML.
    for (const form of [JSON.stringify(trimmed).slice(1, -1), trimmed.replace(/["\\`$]/g, '\\$&')]) {
      if (form !== trimmed) this.values.add(form);
    }
    // A multi-line secret (a TLS key) shows up line by line in a diff: mask each line too,
    // a short one where it stands alone on a line (inside other text it would mask ordinary words).
    if (trimmed.includes('\n')) {
      for (const line of trimmed.split(/\r?\n/)) {
        const l = line.trim();
        if (!l || /^-----(BEGIN|END) /.test(l)) continue;
        if (l.length >= MIN_SECRET_LENGTH) this.values.add(l);
        else this.wholeLines.add(l);
      }
    }
    this.sorted = null;
  }

  /** Adds every value of another set (the controller masks with all its hosts' pillars). */
  absorb(other: Secrets): void {
    for (const v of other.values) this.values.add(v);
    for (const l of other.wholeLines) this.wholeLines.add(l);
    this.sorted = null;
  }

  /** True when the text holds any secret value. */
  within(text: string): boolean {
    for (const v of this.values) if (text.includes(v)) return true;
    return false;
  }

  /**
   * The text with every secret value in it replaced by a numbered placeholder (longest value
   * first, numbered as found), and those values in that order: `fillHeld` puts them back.
   * Undefined when the text holds placeholder characters of its own.
   */
  placehold(text: string): { text: string; values: string[] } | undefined {
    if (text.includes(OPEN) || text.includes(CLOSE)) return undefined;
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    const values: string[] = [];
    let out = text;
    for (const v of this.sorted) {
      if (!out.includes(v)) continue;
      out = out.split(v).join(`${OPEN}${values.length}${CLOSE}`);
      values.push(v);
    }
    return { text: out, values };
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    // Longest first, so a secret containing another is masked whole.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    if (this.wholeLines.size) out = out.split('\n').map((line) => this.maskWholeLine(line)).join('\n');
    return out;
  }

  /** A line that is only a short line of a secret (after a diff's `+`/`-`/` ` and indentation). */
  private maskWholeLine(line: string): string {
    const m = /^([+\- ]?\s*)(.*?)(\s*)$/.exec(line)!;
    return this.wholeLines.has(m[2]) ? `${m[1]}${MASK}${m[3]}` : line;
  }

  /** Deep-mask every string in a JSON-able value. */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.maskDeep(v);
      return out as T;
    }
    return value;
  }
}
