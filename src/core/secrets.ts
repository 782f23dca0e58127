// Masks secret values by value, wherever text leaves brine (reports, JSON, diffs, errors, logs).

export const MASK = '********';
/** Shorter values would mask ordinary words; they are still secret but cannot be told apart. */
const MIN_LENGTH = 4;

export class Secrets {
  private readonly values = new Set<string>();
  private sorted: string[] | null = null;

  add(value: unknown): void {
    if (typeof value === 'number' || typeof value === 'bigint') value = String(value);
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_LENGTH) return;
    this.values.add(trimmed);
    // The forms a value takes once escaped for JSON, a double-quoted env file or YAML.
    for (const form of [JSON.stringify(trimmed).slice(1, -1), trimmed.replace(/["\\`$]/g, '\\$&')]) {
      if (form !== trimmed) this.values.add(form);
    }
    // A multi-line secret (a TLS key) shows up line by line in a diff: mask each line too.
    if (trimmed.includes('\n')) {
      for (const line of trimmed.split(/\r?\n/)) {
        const l = line.trim();
        if (l.length >= 8 && !/^-----(BEGIN|END) /.test(l)) this.values.add(l);
      }
    }
    this.sorted = null;
  }

  /** Adds every value of another set (the controller masks with all its hosts' pillars). */
  absorb(other: Secrets): void {
    for (const v of other.values) this.values.add(v);
    this.sorted = null;
  }

  /** True when the text holds any secret value. */
  within(text: string): boolean {
    for (const v of this.values) if (text.includes(v)) return true;
    return false;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    // Longest first, so a secret containing another is masked whole.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
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
