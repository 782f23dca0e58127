// Runs a CommonJS program held in a string as Node would run it as the main module, compiled
// through a V8 code cache file (see boot.ts for why). Everything here fails soft: a cache that
// is missing, foreign, untrusted or unwritable costs time, never the run.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Where the code cache lives: BRINE_CODE_CACHE (a file, or "off"), else /var/cache/brine for
 * root, else the user's XDG cache directory.
 */
export function codeCacheFile(env: NodeJS.ProcessEnv, uid = process.getuid?.()): string | undefined {
  const given = env.BRINE_CODE_CACHE;
  if (given === 'off') return undefined;
  if (given) return given;
  if (uid === undefined) return undefined;
  if (uid === 0) return '/var/cache/brine/code-cache';
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'brine', 'code-cache');
}

/** The first bytes of a cache file: what program the rest was made from. */
const stampOf = (sha256: string) => Buffer.from(`brine-code-cache ${sha256}\n`);

/**
 * Only a file (and directory) this user owns and nobody else can write is trusted: V8 runs
 * what a code cache holds.
 */
function trusted(fd: number, dir: string, uid: number): boolean {
  const f = fstatSync(fd);
  const d = statSync(dir);
  return f.isFile() && f.uid === uid && (f.mode & 0o022) === 0 && d.isDirectory() && (d.uid === uid || d.uid === 0) && (d.mode & 0o022) === 0;
}

export function readCache(file: string, sha256: string, uid = process.getuid?.() ?? -1): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (!trusted(fd, dirname(file), uid)) return undefined;
    const data = readFileSync(fd);
    const stamp = stampOf(sha256);
    return data.subarray(0, stamp.length).equals(stamp) ? data.subarray(stamp.length) : undefined;
  } catch {
    return undefined; // none yet
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeCache(file: string, sha256: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, Buffer.concat([stampOf(sha256), data]), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // no directory to leave it in
    }
  }
}

export interface Main {
  source: string;
  sha256: string;
  /** The module running this (dist/brine.js) and its require: the program runs as that module. */
  module: NodeJS.Module;
  require: NodeJS.Require;
  cacheFile?: string;
}

/** What the program learns of how it was started (see mainInfo): set before it runs. */
export const MAIN_INFO = Symbol.for('brine.main');

export interface MainInfo {
  /** The program's SHA-256: other caches of what this program made are stamped with it. */
  sha256: string;
  /** The code cache file, when there is one: other caches go beside it. */
  cacheFile?: string;
}

/** How the running program was started: undefined when not from dist/brine.js (tests, tsx). */
export const mainInfo = (): MainInfo | undefined => (globalThis as Record<symbol, MainInfo | undefined>)[MAIN_INFO];

export function runMain(m: Main): void {
  (globalThis as Record<symbol, MainInfo>)[MAIN_INFO] = { sha256: m.sha256, cacheFile: m.cacheFile };
  const file = m.module.filename;
  const cachedData = m.cacheFile ? readCache(m.cacheFile, m.sha256) : undefined;
  // The file's own name: __filename is the bundle's, as when run directly; line numbers in
  // stack traces are the program's (the text of BRINE_MAIN), not the file's.
  const script = new Script(Module.wrap(m.source), { filename: file, cachedData });
  if (m.cacheFile && (!cachedData || script.cachedDataRejected)) {
    const cacheFile = m.cacheFile;
    // At exit the cache also holds the functions this run compiled lazily: most of the next run.
    process.once('exit', () => writeCache(cacheFile, m.sha256, script.createCachedData()));
  }
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(m.module.exports, m.module.exports, m.require, m.module, file, dirname(file));
}
