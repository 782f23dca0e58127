// What pending package installs bring, for the predicted host (predicted.ts): each install's
// territory (the paths it ships, the directories it makes, what its maintainer scripts name) and
// the files it ships, laid under the states' own predictions, their content read out of the .deb
// only when a plan asks for it.
import { basename, dirname } from 'node:path';
import { UnknownError } from '../core/errors.js';
import type { FileSource, FileStat, HostView } from './types.js';

/** A file a pending package ships: read out of its .deb when a plan asks for its content. */
export interface Packaged {
  deb: string;
  /** Its name in the .deb's data archive: "./etc/redis/redis.conf". */
  member: string;
  size: number;
}
export const isPackaged = (d: unknown): d is Packaged => typeof d === 'object' && d !== null && 'deb' in d;

/** What a pending package ships at one path, as `dpkg-deb -c` lists it (owned by root). */
export type Shipped = { type: 'file'; mode: number; size: number; deb: string; member: string; uid?: number; gid?: number } | { type: 'directory'; mode: number } | { type: 'symlink'; target: string };

/** An entry of the predicted host: what is at a path once the planned changes are made. */
export type Entry =
  /** A large source (streamed, never read whole) stays a reference to its file. */
  | { type: 'file'; data: Buffer | FileSource | Packaged; mode: number; uid: number; gid: number }
  /** `fresh`: made by a prediction, so it holds only what the overlay puts in it. */
  | { type: 'directory'; mode: number; uid: number; gid: number; fresh: boolean }
  | { type: 'symlink'; target: string; uid: number; gid: number }
  | null;

/** What a pending package install may bring: files and new directories it ships, or anything. */
export interface Territory {
  /** What brings it ("nginx-light") and when it is known: "is installed", "has run". */
  source: string;
  until: string;
  /** Paths the package ships (from its .deb); undefined: unknown, so any path not on the host. */
  paths?: Set<string>;
  /** Directories it ships that are not on the host yet: everything under them is its own. */
  dirs?: string[];
  /**
   * What it ships, as it will be once installed (from its .deb): read like predicted files. A
   * shipped path its maintainer scripts name (they may change it) belongs in `paths` instead.
   */
  ships?: Map<string, Shipped>;
  /** Whether its maintainer scripts name this path (they may make, change or remove it). */
  names?: (path: string) => boolean;
}

// Where Debian packages never put files (policy: /home, /srv, /usr/local are the admin's), the
// kernel's trees, and brine's own directories: a package of unknown contents does not reach them.
const NEVER_PACKAGED = ['/home', '/srv', '/root', '/usr/local', '/proc', '/sys', '/tmp', '/var/lib/brine', '/var/log/brine'];

const under = (path: string, dir: string) => path === dir || path.startsWith(dir + '/');

export class PackageLayer {
  private readonly territories: Territory[] = [];
  /** Every file, directory and link the pending packages ship, with the install that brings it. */
  private readonly shipped = new Map<string, { entry: Exclude<Entry, null>; by: Territory }>();

  constructor(private readonly real: HostView) {}

  get empty(): boolean {
    return this.territories.length === 0;
  }

  /** Adds an install's territory; `written`: whether a state's prediction already holds a path. */
  add(t: Territory, written: (path: string) => boolean): void {
    this.territories.push(t);
    for (const [path, s] of t.ships ?? []) {
      if (t.paths?.has(path) || written(path)) continue;
      const entry: Exclude<Entry, null> =
        s.type === 'file'
          ? { type: 'file', data: { deb: s.deb, member: s.member, size: s.size }, mode: s.mode, uid: s.uid ?? 0, gid: s.gid ?? 0 }
          : s.type === 'directory'
            ? { type: 'directory', mode: s.mode, uid: 0, gid: 0, fresh: false }
            : { type: 'symlink', target: s.target, uid: 0, gid: 0 };
      this.shipped.set(path, { entry, by: t });
    }
  }

  /** What a package ships at this path, if any. */
  entry(path: string): Exclude<Entry, null> | undefined {
    return this.shipped.get(path)?.entry;
  }

  /** Which install ships this path, and when it is known: for the 'file' fact. */
  shipper(path: string): { packaged: string; until: string } | undefined {
    const s = this.shipped.get(path);
    return s ? { packaged: s.by.source, until: s.by.until } : undefined;
  }

  /** Names the packages ship directly in this directory. */
  namesIn(dir: string): string[] {
    if (!this.shipped.size) return [];
    const prefix = dir === '/' ? '/' : dir + '/';
    const out: string[] = [];
    for (const k of this.shipped.keys()) if (k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.push(k.slice(prefix.length));
    return out;
  }

  /** The pending install that may bring `path`, if any. */
  async bringer(path: string): Promise<Territory | undefined> {
    for (const t of this.territories) {
      if (!t.paths) {
        if (!NEVER_PACKAGED.some((d) => under(path, d)) && (await this.real.stat(path)) === null) return t;
        continue;
      }
      if (t.paths.has(path) || t.dirs?.some((d) => under(path, d))) return t;
      // What its scripts name may be made by them; what is there already is read as it is.
      if (t.names?.(path) && (await this.real.stat(path)) === null) return t;
    }
    return undefined;
  }

  /** Throws UnknownError when a pending install may bring `path`. */
  async guard(path: string): Promise<void> {
    const t = await this.bringer(path);
    if (t) throw new UnknownError(path, t.source, t.until);
  }

  /**
   * A program or file an install ships cannot be run or read before it is installed: throws
   * UnknownError unless a state's prediction (`written`) replaces it.
   */
  notShipped(path: string, written: boolean): void {
    const s = this.shipped.get(path);
    if (s && !written) throw new UnknownError(path, s.by.source, s.by.until);
  }

  /**
   * For a path nobody has: when its nearest existing directory is one a pending package ships
   * (and not its parent, which the .deb lists whole), the package's scripts may make what lies
   * beneath (postgresql's clusters under /etc/postgresql): unknown until it is installed.
   * `stat` sees the predicted host without this rule; each directory is asked once.
   */
  async absent(path: string, stat: (p: string) => Promise<FileStat | null>): Promise<null> {
    if (!this.shipped.size) return null;
    for (let dir = dirname(path); dir !== '/'; dir = dirname(dir)) {
      if (!(await stat(dir))) continue;
      const s = this.shipped.get(dir);
      if (s && dir !== dirname(path)) throw new UnknownError(path, s.by.source, s.by.until);
      return null;
    }
    return null;
  }

  /** A packaged file's bytes, out of its .deb into a scratch file. */
  async unpack(path: string, p: Packaged): Promise<FileSource> {
    const out = await this.real.scratch('', { name: basename(path) });
    const r = await this.real.query(['/bin/sh', '-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xOf - "$2" > "$3"', 'brine-unpack', p.deb, p.member, out]);
    const sha256 = r.exitCode === 0 ? await this.real.hashFile(out) : null;
    if (sha256 === null) throw new Error(`cannot read ${p.member} out of ${p.deb}: ${r.stderr.trim()}`);
    return { path: out, size: p.size, sha256 };
  }
}
