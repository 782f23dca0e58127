// A recording fake host for unit tests of planning logic: an in-memory file system, scripted
// command answers, and a log of every call, so a test can prove "--test wrote nothing".
import { isFileSource, type CommandResult, type Content, type FileStat, type Host, type RunOptions, type WriteOptions } from '../../src/host/types.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MemoryFactCache } from '../../src/host/fact-cache.js';
import { dirname } from 'node:path';

type Entry = { type: 'file'; data: Buffer; mode: number; uid: number; gid: number } | { type: 'directory'; mode: number; uid: number; gid: number } | { type: 'symlink'; target: string; uid: number; gid: number };

export type Responder = (argv: string[], opts: RunOptions) => Partial<CommandResult> | undefined;

export interface Call {
  op: string;
  args: unknown[];
}

/** Operations that change the host. A `--test` run must record none of them. */
export const WRITE_OPS = new Set(['exec', 'writeFile', 'mkdir', 'chmod', 'chown', 'symlink', 'remove', 'rename']);

export class FakeHost implements Host {
  readonly name = 'fake';
  readonly facts = new MemoryFactCache();
  readonly calls: Call[] = [];
  readonly fs = new Map<string, Entry>([['/', { type: 'directory', mode: 0o755, uid: 0, gid: 0 }]]);
  private responders: Responder[] = [];
  private scratchCount = 0;

  /** Answer commands whose argv starts with `prefix` (first match wins; later `on` calls take priority). */
  on(prefix: string[] | Responder, answer?: Partial<CommandResult> | ((argv: string[], opts: RunOptions) => Partial<CommandResult>)): this {
    if (typeof prefix === 'function') this.responders.unshift(prefix);
    else
      this.responders.unshift((argv, opts) =>
        prefix.every((p, i) => argv[i] === p) ? (typeof answer === 'function' ? answer(argv, opts) : answer) : undefined,
      );
    return this;
  }

  /** Seed a file (parents created). */
  file(path: string, content: string | Buffer, opts: { mode?: number; uid?: number; gid?: number } = {}): this {
    this.ensureDir(dirname(path));
    this.fs.set(path, { type: 'file', data: Buffer.from(content), mode: opts.mode ?? 0o644, uid: opts.uid ?? 0, gid: opts.gid ?? 0 });
    return this;
  }

  dir(path: string, opts: { mode?: number; uid?: number; gid?: number } = {}): this {
    this.ensureDir(dirname(path));
    this.fs.set(path, { type: 'directory', mode: opts.mode ?? 0o755, uid: opts.uid ?? 0, gid: opts.gid ?? 0 });
    return this;
  }

  writes(): Call[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op));
  }

  commands(): string[][] {
    return this.calls.filter((c) => c.op === 'exec' || c.op === 'query').map((c) => c.args[0] as string[]);
  }

  private record(op: string, ...args: unknown[]) {
    this.calls.push({ op, args });
  }

  private ensureDir(path: string) {
    if (path === '/' || this.fs.has(path)) return;
    this.ensureDir(dirname(path));
    this.fs.set(path, { type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  }

  async readFile(path: string) {
    const b = await this.readBytes(path);
    return b === null ? null : b.toString('utf8');
  }

  async readBytes(path: string) {
    this.record('readFile', path);
    const e = this.resolve(path);
    return e?.type === 'file' ? Buffer.from(e.data) : null;
  }

  async hashFile(path: string) {
    const data = await this.readBytes(path);
    return data === null ? null : createHash('sha256').update(data).digest('hex');
  }

  private resolve(path: string, depth = 0): Entry | undefined {
    const e = this.fs.get(path);
    if (e?.type === 'symlink' && depth < 8) return this.resolve(e.target.startsWith('/') ? e.target : `${dirname(path)}/${e.target}`, depth + 1);
    return e;
  }

  async stat(path: string): Promise<FileStat | null> {
    this.record('stat', path);
    const e = this.fs.get(path);
    if (!e) return null;
    if (e.type === 'symlink') return { type: 'symlink', mode: 0o777, uid: e.uid, gid: e.gid, size: e.target.length, target: e.target };
    return { type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.type === 'file' ? e.data.length : 4096 };
  }

  async readdir(path: string) {
    this.record('readdir', path);
    if (this.fs.get(path)?.type !== 'directory') return null;
    const prefix = path === '/' ? '/' : path + '/';
    return [...this.fs.keys()].filter((k) => k !== path && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length)).sort();
  }

  private answer(argv: string[], opts: RunOptions): CommandResult {
    for (const r of this.responders) {
      const a = r(argv, opts);
      if (a) return { argv, exitCode: 0, stdout: '', stderr: '', ...a };
    }
    return { argv, exitCode: 127, stdout: '', stderr: `fake: no answer scripted for ${argv.join(' ')}` };
  }

  async query(argv: string[], opts: RunOptions = {}) {
    this.record('query', argv, opts);
    return this.answer(argv, opts);
  }

  async exec(argv: string[], opts: RunOptions = {}) {
    this.record('exec', argv, opts);
    return this.answer(argv, opts);
  }

  async scratch(content: Content, opts: { name?: string; mode?: number } = {}) {
    const path = `/scratch/${++this.scratchCount}-${opts.name ?? 'candidate'}`;
    this.record('scratch', path);
    this.fs.set(path, { type: 'file', data: bytesOf(content), mode: opts.mode ?? 0o600, uid: 0, gid: 0 });
    return path;
  }

  private requireParent(path: string) {
    if (this.fs.get(dirname(path))?.type !== 'directory') throw Object.assign(new Error(`ENOENT: ${dirname(path)}`), { code: 'ENOENT' });
  }

  async writeFile(path: string, content: Content, opts: WriteOptions = {}) {
    this.record('writeFile', path, opts);
    this.requireParent(path);
    this.fs.set(path, { type: 'file', data: bytesOf(content), mode: opts.mode ?? 0o644, uid: opts.uid ?? 0, gid: opts.gid ?? 0 });
  }

  async mkdir(path: string, opts: WriteOptions & { parents?: boolean } = {}) {
    this.record('mkdir', path, opts);
    if (opts.parents) this.ensureDir(dirname(path));
    this.requireParent(path);
    if (!this.fs.has(path)) this.fs.set(path, { type: 'directory', mode: opts.mode ?? 0o755, uid: opts.uid ?? 0, gid: opts.gid ?? 0 });
  }

  async chmod(path: string, mode: number) {
    this.record('chmod', path, mode);
    const e = this.fs.get(path);
    if (e && e.type !== 'symlink') e.mode = mode;
  }

  async chown(path: string, uid: number, gid: number) {
    this.record('chown', path, uid, gid);
    const e = this.fs.get(path);
    if (e) Object.assign(e, { uid, gid });
  }

  async symlink(target: string, path: string) {
    this.record('symlink', target, path);
    this.requireParent(path);
    this.fs.set(path, { type: 'symlink', target, uid: 0, gid: 0 });
  }

  async remove(path: string) {
    this.record('remove', path);
    for (const k of [...this.fs.keys()]) if (k === path || k.startsWith(path + '/')) this.fs.delete(k);
  }

  async rename(from: string, to: string) {
    this.record('rename', from, to);
    const e = this.fs.get(from);
    if (e) {
      this.fs.delete(from);
      this.fs.set(to, e);
    }
  }

  invalidate() {
    this.facts.clear();
  }
}

/** A FileSource names a file of the machine running the test (a large `source:`). */
const bytesOf = (c: Content): Buffer => (isFileSource(c) ? readFileSync(c.path) : Buffer.from(c));
