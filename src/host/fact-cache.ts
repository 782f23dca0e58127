// Per-run memo of host reads (passwd, dpkg status, systemctl show), dropped after each change.

import type { FactCache } from './types.js';

export class MemoryFactCache implements FactCache {
  private readonly values = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let v = this.values.get(key) as Promise<T> | undefined;
    if (!v) {
      v = load();
      this.values.set(key, v);
      // A failed read is not remembered: the next plan tries again.
      v.catch(() => this.values.delete(key));
    }
    return v;
  }

  /** Takes `keys` from another cache of the same host, read while nothing has changed since. */
  adopt(other: MemoryFactCache, keys: string[]): void {
    for (const k of keys) {
      const v = other.values.get(k);
      if (v && !this.values.has(k)) this.values.set(k, v);
    }
  }

  /** Drops every value but those under `keep`. */
  clear(keep: string[] = []): void {
    for (const k of [...this.values.keys()]) if (!keep.includes(k)) this.values.delete(k);
  }
}
