// Compiled templates kept between runs. Of the ~25 ms a no-op apply of the shipped stack spends
// on its templates, most is Handlebars parsing them and generating their code, every run again.
// This keeps that code (Handlebars' precompiled form) for the state tree's templates, beside the
// code cache (src/boot/code-cache.ts) and on the same terms: stamped with the program's hash
// (a new brine starts afresh), trusted only if nobody else can write it, rewritten with just
// the templates the run used. render() keeps no template holding a secret's value (Secrets.within).
import { createHash } from 'node:crypto';
import { mainInfo, readCache, writeCache } from '../boot/code-cache.js';

export interface SpecStore {
  get(key: string): string | undefined;
  put(key: string, spec: string): void;
}

export class FileSpecStore implements SpecStore {
  private readonly kept: Record<string, string>;
  private readonly used: Record<string, string> = {};
  private added = false;

  constructor(
    private readonly file: string,
    private readonly stamp: string,
  ) {
    const data = readCache(file, stamp);
    let kept: Record<string, string> = {};
    try {
      if (data) kept = JSON.parse(data.toString('utf8')) as Record<string, string>;
    } catch {
      // unreadable: start afresh
    }
    this.kept = kept;
  }

  get(key: string): string | undefined {
    const spec = Object.hasOwn(this.kept, key) ? this.kept[key] : undefined;
    if (typeof spec === 'string') this.used[key] = spec;
    return typeof spec === 'string' ? spec : undefined;
  }

  put(key: string, spec: string): void {
    this.used[key] = spec;
    this.added = true;
  }

  /** Writes the templates this run used, if that is not what the file holds already. */
  save(): void {
    if (this.added || Object.keys(this.used).length !== Object.keys(this.kept).length) {
      writeCache(this.file, this.stamp, Buffer.from(JSON.stringify(this.used)));
    }
  }
}

let store: SpecStore | undefined | null = null;

/** The store of this run: a file beside the code cache when brine runs from its bundle, else none. */
export function templateStore(): SpecStore | undefined {
  if (store === null) {
    const main = mainInfo();
    const file = main?.cacheFile ? new FileSpecStore(`${main.cacheFile}-templates`, main.sha256) : undefined;
    if (file) process.once('exit', () => file.save());
    store = file;
  }
  return store;
}

/** For tests: another store, or none (undefined); null goes back to the default. */
export function useTemplateStore(s: SpecStore | undefined | null): void {
  store = s;
}

export const templateKey = (text: string, yamlSafe: boolean) =>
  createHash('sha256').update(`${yamlSafe ? 'yaml' : 'text'}\0${text}`).digest('hex');
