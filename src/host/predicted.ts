// The host as it will be after the changes planned so far: what `--test` plans later states
// against. An in-memory overlay of files, directories and links (with content, mode, owner) and a
// few facts (unit states) lies over a read-only view of the real host. It holds no Host: nothing
// done to it can reach the real machine. What a pending package brings is unknown, and reading it
// throws UnknownError (the engine turns that into a `blocked` plan), never a guess.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { UnknownError } from '../core/errors.js';
import { MemoryFactCache } from './fact-cache.js';
import { isPackaged, PackageLayer, type Entry, type Packaged, type Territory } from './packaged.js';
import { PATH } from './runnable.js';
import { isFileSource, type CommandResult, type Content, type FileSource, type FileStat, type FileWriter, type HostView, type RunOptions, type WriteOptions } from './types.js';

/** The write side a Change's `predict` gets: Host's file methods, plus facts and unknowns. */
export interface Overlay extends FileWriter {
  /** A predicted fact no file holds (a unit's state after enable/start), merged into earlier ones. */
  setFact(topic: string, key: string, value: Record<string, unknown>): void;
  /** What a pending package brings: reads there are blocked until it is installed. */
  unknown(t: Territory): void;
  /**
   * Whether to find out what a package brings precisely (apt-get -s, its .deb's file list), or
   * count anything not on the host as its. A dry run reports per state, so it wants precision; the
   * check before a real apply only needs to know what is unknown, and saves the work.
   */
  readonly precise: boolean;
}

// Facts the overlay does not invalidate: answers of commands about things it does not change,
// so the host's own as long as nothing has changed on it (the engine hands them on to apply).
export const QUERY_FACTS = ['apt-policy', 'systemd-units'];

class PredictedFacts extends MemoryFactCache {
  override clear(): void {
    super.clear(QUERY_FACTS);
  }
}

export class PredictedHost implements Overlay {
  readonly facts = new PredictedFacts();
  private readonly files = new Map<string, Entry>();
  private readonly predictedFacts = new Map<string, Record<string, unknown>>();
  /** What pending packages ship, laid under the states' own predictions. */
  private readonly packages: PackageLayer;

  constructor(
    private readonly real: HostView,
    readonly precise = true,
  ) {
    this.packages = new PackageLayer(real);
  }

  get name(): string {
    return this.real.name;
  }

  /** True once any prediction has been laid over the real host. */
  get changed(): boolean {
    return this.files.size > 0 || this.predictedFacts.size > 0 || !this.packages.empty;
  }

  /** A predicted fact; topic 'file': whether a path is one the changes planned so far write. */
  predicted(topic: string, key: string): Record<string, unknown> | undefined {
    if (topic === 'file') {
      return this.files.get(key) ? { written: true } : this.packages.shipper(key);
    }
    return this.predictedFacts.get(`${topic}\0${key}`);
  }

  /** The overlay's own answer for a path: an entry, null for "not there", undefined for "ask the host". */
  private own(path: string): Entry | undefined {
    if (this.files.has(path)) return this.files.get(path);
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if (this.files.has(dir)) {
        const e = this.files.get(dir)!;
        if (e === null || e.type !== 'directory' || e.fresh) return null;
      }
      if (dir === '/') break;
    }
    return this.packages.entry(path);
  }

  private async bytesOf(path: string, e: { data: Buffer | FileSource | Packaged }): Promise<Buffer | FileSource> {
    if (isPackaged(e.data)) e.data = await this.packages.unpack(path, e.data);
    return e.data as Buffer | FileSource;
  }

  async readBytes(path: string): Promise<Buffer | null> {
    const e = await this.follow(path);
    if (e !== undefined) {
      if (e?.type !== 'file') return null;
      const data = await this.bytesOf(path, e);
      return isFileSource(data) ? this.real.readBytes(data.path) : Buffer.from(data);
    }
    await this.packages.guard(path);
    return (await this.real.readBytes(path)) ?? this.absent(path);
  }

  async readFile(path: string): Promise<string | null> {
    const b = await this.readBytes(path);
    return b === null ? null : b.toString('utf8');
  }

  async hashFile(path: string): Promise<string | null> {
    const e = await this.follow(path);
    if (e === undefined) {
      await this.packages.guard(path);
      return this.real.hashFile(path);
    }
    if (e?.type !== 'file') return null;
    const data = await this.bytesOf(path, e);
    if (isFileSource(data)) return data.sha256 || this.real.hashFile(data.path);
    return createHash('sha256').update(data).digest('hex');
  }

  /** The overlay's entry for a path, following a predicted symlink like a read does. */
  private async follow(path: string, depth = 0): Promise<Entry | undefined> {
    const e = this.own(path);
    if (e?.type === 'symlink' && depth < 8) return this.follow(e.target.startsWith('/') ? e.target : `${dirname(path)}/${e.target}`, depth + 1);
    return e;
  }

  async stat(path: string): Promise<FileStat | null> {
    return (await this.statKnown(path)) ?? this.absent(path);
  }

  /** What the overlay or the host has at a path. */
  private async statKnown(path: string): Promise<FileStat | null> {
    const e = this.own(path);
    if (e === null) return null;
    if (e === undefined) {
      await this.packages.guard(path);
      return this.real.stat(path);
    }
    if (e.type === 'symlink') return { type: 'symlink', mode: 0o777, uid: e.uid, gid: e.gid, size: e.target.length, target: e.target };
    return { type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.type !== 'file' ? 4096 : Buffer.isBuffer(e.data) ? e.data.length : e.data.size, mtimeMs: Date.now() };
  }

  async readdir(path: string): Promise<string[] | null> {
    const e = this.own(path);
    if (e !== undefined && e?.type !== 'directory') return null;
    if (e === undefined) await this.packages.guard(path);
    const base = e === undefined || !e.fresh ? ((await this.real.readdir(path)) ?? []) : [];
    const names = new Set(base);
    for (const name of this.packages.namesIn(path)) names.add(name);
    const prefix = path === '/' ? '/' : path + '/';
    for (const [k, v] of this.files) {
      if (!k.startsWith(prefix) || k.slice(prefix.length).includes('/')) continue;
      if (v === null) names.delete(k.slice(prefix.length));
      else names.add(k.slice(prefix.length));
    }
    if (e === undefined && !base.length && !names.size && (await this.real.stat(path)) === null) return null;
    return [...names].sort();
  }

  async query(argv: string[], opts?: RunOptions): Promise<CommandResult> {
    // A program a pending package ships cannot run before it is installed, nor can anything read
    // a file it ships, nor run as a user its scripts make.
    if (!this.packages.empty && argv[0]) {
      const notShipped = (path: string) => this.packages.notShipped(path, this.files.has(path));
      for (const path of argv[0].startsWith('/') ? [] : PATH.map((d) => `${d}/${argv[0]}`)) {
        notShipped(path);
        if (await this.real.stat(path)) break;
      }
      for (const a of argv) if (a.startsWith('/')) notShipped(a);
    }
    const runas = argv[0] === 'runuser' && argv[1] === '-u' ? this.predicted('account', argv[2]) : undefined;
    if (runas) throw new UnknownError(`user ${argv[2]}`, String(runas.source), String(runas.until));
    return this.real.query(argv, opts);
  }

  scratch(content: Content, opts?: { name?: string; mode?: number }): Promise<string> {
    return this.real.scratch(content, opts);
  }

  private put(path: string, e: Entry): void {
    this.files.set(path, e);
    this.facts.clear();
  }

  private async parentMustExist(path: string): Promise<void> {
    const st = await this.stat(dirname(path));
    if (st?.type !== 'directory') throw new Error(`${dirname(path)} is not a directory (predicted)`);
  }

  async writeFile(path: string, content: Content, opts: WriteOptions = {}): Promise<void> {
    await this.parentMustExist(path);
    this.put(path, { type: 'file', data: isFileSource(content) ? content : Buffer.from(content), mode: opts.mode ?? 0o644, uid: opts.uid ?? 0, gid: opts.gid ?? 0 });
  }

  async mkdir(path: string, opts: WriteOptions & { parents?: boolean } = {}): Promise<void> {
    const st = await this.stat(path);
    if (st?.type === 'directory') {
      // Like LocalHost.mkdir: an existing directory gets the mode and owner asked for.
      if (opts.mode !== undefined) await this.chmod(path, opts.mode);
      if (opts.uid !== undefined || opts.gid !== undefined) await this.chown(path, opts.uid ?? st.uid, opts.gid ?? st.gid);
      return;
    }
    if (opts.parents && dirname(path) !== path) await this.mkdir(dirname(path), { parents: true });
    else await this.parentMustExist(path);
    this.put(path, { type: 'directory', mode: opts.mode ?? 0o755, uid: opts.uid ?? 0, gid: opts.gid ?? 0, fresh: true });
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.modify(path, (e) => ('mode' in e ? { ...e, mode } : e));
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    await this.modify(path, (e) => ({ ...e, uid, gid }));
  }

  /** Copies a real entry into the overlay (content included) before changing it. */
  private async modify(path: string, edit: (e: Exclude<Entry, null>) => Entry): Promise<void> {
    let e = this.own(path);
    if (e === undefined) {
      const st = await this.stat(path);
      if (!st) throw new Error(`${path} does not exist (predicted)`);
      if (st.type === 'file') e = { type: 'file', data: (await this.real.readBytes(path)) ?? Buffer.alloc(0), mode: st.mode, uid: st.uid, gid: st.gid };
      else if (st.type === 'directory') e = { type: 'directory', mode: st.mode, uid: st.uid, gid: st.gid, fresh: false };
      else e = { type: 'symlink', target: st.target ?? '', uid: st.uid, gid: st.gid };
    }
    if (e === null) throw new Error(`${path} does not exist (predicted)`);
    this.put(path, edit(e));
  }

  async symlink(target: string, path: string): Promise<void> {
    await this.parentMustExist(path);
    this.put(path, { type: 'symlink', target, uid: 0, gid: 0 });
  }

  async remove(path: string): Promise<void> {
    for (const k of [...this.files.keys()]) if (k.startsWith(path + '/')) this.files.delete(k);
    this.put(path, null);
  }

  async rename(from: string, to: string): Promise<void> {
    const e = this.own(from);
    const entry = e === undefined ? await this.snapshot(from) : e;
    if (!entry) throw new Error(`${from} does not exist (predicted)`);
    await this.remove(from);
    this.put(to, entry);
  }

  private async snapshot(path: string): Promise<Entry> {
    await this.modify(path, (e) => e);
    return this.own(path) ?? null;
  }

  /** Predicted files (content and mode) at these paths or under these directories. */
  filesAt(paths: string[]): { path: string; data: Buffer | FileSource; mode: number }[] {
    const out: { path: string; data: Buffer | FileSource; mode: number }[] = [];
    for (const [path, e] of this.files) {
      // A state's own writes only: a packaged file a state changed (chmod) is the package's.
      if (e?.type === 'file' && !isPackaged(e.data) && paths.some((p) => path === p || path.startsWith(p + '/'))) out.push({ path, data: e.data, mode: e.mode });
    }
    return out;
  }

  setFact(topic: string, key: string, value: Record<string, unknown>): void {
    const k = `${topic}\0${key}`;
    this.predictedFacts.set(k, { ...this.predictedFacts.get(k), ...value });
    this.facts.clear();
  }

  unknown(t: Territory): void {
    this.packages.add(t, (path) => this.files.has(path));
    this.facts.clear();
  }

  /** The package rule for paths nobody has (PackageLayer.absent), on what the overlay and host have. */
  private absent(path: string): Promise<null> {
    return this.packages.absent(path, (p) => this.statKnown(p));
  }
}
