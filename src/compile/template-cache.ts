// Compiled templates kept between runs. Of the ~25 ms a no-op apply of the shipped stack spends
// on its templates, most is Handlebars parsing them and generating their code, every run again.
// This keeps that code (Handlebars' precompiled form) for the state tree's templates, beside the
// code cache (src/boot/code-cache.ts) and on the same terms: stamped with the program's hash
// (a new brine starts afresh), trusted only if nobody else can write it, rewritten with just
// the templates the run used. render() keeps no template holding a secret's value (Secrets.within).
import { createHash } from 'node:crypto';
import { mainInfo, readCache, writeCache } from '../boot/code-cache.js';
import { fillHeld, type Secrets } from '../core/secrets.js';

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

/** A store in a file beside the code cache when brine runs from its bundle (saved at exit), else none. */
function besideCodeCache(suffix: string): SpecStore | undefined {
  const main = mainInfo();
  const file = main?.cacheFile ? new FileSpecStore(`${main.cacheFile}-${suffix}`, main.sha256) : undefined;
  if (file) process.once('exit', () => file.save());
  return file;
}

/** The store of this run's compiled templates. */
export function templateStore(): SpecStore | undefined {
  if (store === null) store = besideCodeCache('templates');
  return store;
}

/** For tests: another store, or none (undefined); null goes back to the default. */
export function useTemplateStore(s: SpecStore | undefined | null): void {
  store = s;
}

export const templateKey = (text: string, yamlSafe: boolean) =>
  createHash('sha256').update(`${yamlSafe ? 'yaml' : 'text'}\0${text}`).digest('hex');

// Parsed YAML kept between runs, on the same terms: state files as rendered (their declarations,
// with file and line) and pillar files (their data). YAML parsing is the largest part of what a
// no-op apply spends on its state tree. Only what parsed without a problem is kept, only what
// JSON gives back exactly, and a state file holding secrets only with each one a placeholder.
let parsed: SpecStore | undefined | null = null;

function parsedStore(): SpecStore | undefined {
  if (parsed === null) parsed = besideCodeCache('parsed');
  return parsed;
}

/** For tests: another store, or none (undefined); null goes back to the default. */
export function useParsedStore(s: SpecStore | undefined | null): void {
  parsed = s;
}

/**
 * Whether `value` is plain data JSON gave back exactly: plain objects and arrays, strings, finite
 * numbers, booleans and null — a property set to undefined counts as absent; anything else (a
 * Date, a Buffer, a class) is not.
 */
function sameData(back: unknown, value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return back === value;
  if (typeof value === 'number') return Number.isFinite(value) && back === value;
  if (Array.isArray(value)) return Array.isArray(back) && back.length === value.length && value.every((v, i) => sameData(back[i], v));
  if (typeof value !== 'object' || (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)) return false;
  if (typeof back !== 'object' || back === null || Array.isArray(back)) return false;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  return keys.length === Object.keys(back).length && keys.every((k) => sameData((back as Record<string, unknown>)[k], (value as Record<string, unknown>)[k]));
}

/**
 * A text holding secret values is kept as its parse with each secret a placeholder (Secrets.placehold),
 * keyed by that text: the store never holds a secret, nor anything made from one. `parse` parses
 * such a text on its own (undefined on any problem). It is kept only when it is the same parse with
 * the secrets put back, and what is stored holds no secret in any form Secrets knows.
 */
export interface Held<T> {
  secrets: Secrets;
  parse: (text: string) => T | undefined;
}

const keyOf = (kind: string, text: string) => createHash('sha256').update(`${kind}\0${text}`).digest('hex');

/** `compute`'s value for this text, from the store when a run kept it; `keep`: whether it may be. */
export function cachedParse<T>(kind: string, text: string, compute: () => { value: T; keep: boolean }, held?: Held<T>): T {
  const store = parsedStore();
  if (!store) return compute().value;
  if (held?.secrets.within(text)) return cachedHeld(store, kind, text, compute, held);
  const key = keyOf(kind, text);
  const hit = store.get(key);
  if (hit !== undefined) return JSON.parse(hit) as T;
  const r = compute();
  if (r.keep) {
    const json = JSON.stringify(r.value);
    if (json !== undefined && sameData(JSON.parse(json), r.value)) store.put(key, json);
  }
  return r.value;
}

function cachedHeld<T>(store: SpecStore, kind: string, text: string, compute: () => { value: T; keep: boolean }, held: Held<T>): T {
  const p = held.secrets.placehold(text);
  if (!p) return compute().value;
  const key = keyOf(kind, p.text);
  const hit = store.get(key);
  if (hit !== undefined) return fillHeld(JSON.parse(hit) as T, p.values);
  const r = compute();
  if (!r.keep) return r.value;
  const parsed = held.parse(p.text);
  const json = parsed === undefined ? undefined : JSON.stringify(parsed);
  if (json === undefined || held.secrets.within(json)) return r.value;
  const back = JSON.parse(json) as unknown;
  if (sameData(back, parsed) && sameData(fillHeld(back, p.values), r.value)) store.put(key, json);
  return r.value;
}
