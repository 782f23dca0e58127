// The host brine runs on: files through node:fs, commands through spawnCaptured (argv only,
// never a shell string; every outcome maps into a CommandResult).
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { BrineError } from '../core/errors.js';
import { removeOnExit } from '../core/on-exit.js';
import type { Secrets } from '../core/secrets.js';
import { MemoryFactCache } from './fact-cache.js';
import { tempDirPrefix, tempPathFor } from './leftovers.js';
import { spawnCaptured } from './spawn.js';
import { isFileSource, type CommandResult, type Content, type FileStat, type Host, type RunOptions, type WriteOptions } from './types.js';

/** Large files move through memory in pieces of this size. */
const CHUNK = 1 << 20;

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export class LocalHost implements Host {
  readonly facts = new MemoryFactCache();
  private scratchDir?: Promise<string>;
  /** Values that must never appear in a process's arguments (anyone can read them in ps). */
  secrets?: Secrets;

  constructor(readonly name = 'localhost') {}

  async readFile(path: string): Promise<string | null> {
    const b = await this.readBytes(path);
    return b === null ? null : b.toString('utf8');
  }

  async readBytes(path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = await fs.lstat(path);
      const type = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
      const st: FileStat = { type, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, size: s.size, mtimeMs: s.mtimeMs };
      if (type === 'symlink') st.target = await fs.readlink(path);
      return st;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async readdir(path: string): Promise<string[] | null> {
    try {
      return (await fs.readdir(path)).sort();
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async hashFile(path: string): Promise<string | null> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let n; (n = (await fh.read(buf, 0, CHUNK, null)).bytesRead) > 0; ) hash.update(buf.subarray(0, n));
      return hash.digest('hex');
    } finally {
      await fh.close();
    }
  }

  query(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    return this.run(argv, opts);
  }

  exec(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    return this.run(argv, opts);
  }

  private async run(argv: string[], opts: RunOptions): Promise<CommandResult> {
    if (this.secrets?.within(argv.join('\0'))) {
      throw new BrineError(`refusing to run a command with a secret in its arguments (visible in ps): ${this.secrets.mask(argv.join(' '))}; pass it on stdin or in a file`);
    }
    const r = await spawnCaptured(argv, { input: opts.input, env: { LC_ALL: 'C.UTF-8', ...opts.env }, cwd: opts.cwd, timeout: opts.timeout });
    return { argv, ...r };
  }

  async scratch(content: Content, opts: { name?: string; mode?: number } = {}): Promise<string> {
    // Candidates may hold secrets: 0700, named with this pid (a run killed with -9 leaves a
    // directory the next run recognises and removes), and removed on any exit we can see.
    this.scratchDir ??= fs.mkdtemp(tempDirPrefix('brine-scratch')).then((dir) => {
      this.forgetScratch = removeOnExit(dir);
      return dir;
    });
    const dir = await this.scratchDir;
    const path = join(dir, `${randomBytes(4).toString('hex')}-${opts.name ?? 'candidate'}`);
    const fh = await fs.open(path, 'wx', 0o600);
    try {
      await writeContent(fh, content);
    } finally {
      await fh.close();
    }
    await fs.chmod(path, opts.mode ?? 0o600);
    return path;
  }

  private forgetScratch?: () => void;

  /** Remove scratch files; call when the run ends. */
  async close(): Promise<void> {
    if (this.scratchDir) await fs.rm(await this.scratchDir, { recursive: true, force: true });
    this.forgetScratch?.();
    this.scratchDir = undefined;
  }

  async writeFile(path: string, content: Content, opts: WriteOptions = {}): Promise<void> {
    // Named so that one left by a run killed half-way is recognised (leftovers.ts) and removed.
    const tmp = tempPathFor(path);
    // Created 0600 so no one reads a half-set file; the final mode is set before rename.
    const fh = await fs.open(tmp, 'wx', 0o600);
    try {
      await writeContent(fh, content);
      await fh.sync();
      await fh.close();
      if (opts.uid !== undefined || opts.gid !== undefined) await fs.chown(tmp, opts.uid ?? -1, opts.gid ?? -1);
      await fs.chmod(tmp, opts.mode ?? 0o644);
      await fs.rename(tmp, path);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  async mkdir(path: string, opts: WriteOptions & { parents?: boolean } = {}): Promise<void> {
    await fs.mkdir(path, { recursive: opts.parents ?? false, mode: opts.mode ?? 0o755 });
    if (opts.mode !== undefined) await fs.chmod(path, opts.mode);
    if (opts.uid !== undefined || opts.gid !== undefined) await fs.chown(path, opts.uid ?? -1, opts.gid ?? -1);
  }

  chmod(path: string, mode: number): Promise<void> {
    return fs.chmod(path, mode);
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return fs.lchown(path, uid, gid);
  }

  async symlink(target: string, path: string): Promise<void> {
    // Atomic replace: make the link beside it, then rename over.
    const tmp = tempPathFor(path);
    await fs.symlink(target, tmp);
    await fs.rename(tmp, path);
  }

  remove(path: string): Promise<void> {
    return fs.rm(path, { recursive: true, force: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fs.rename(from, to);
  }

  invalidate(): void {
    this.facts.clear();
  }
}

/** Writes content into an open file; a FileSource is copied a chunk at a time. */
async function writeContent(fh: fs.FileHandle, content: Content): Promise<void> {
  if (!isFileSource(content)) return fh.writeFile(content);
  const src = await fs.open(content.path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let n; (n = (await src.read(buf, 0, CHUNK, null)).bytesRead) > 0; ) await fh.write(buf, 0, n);
  } finally {
    await src.close();
  }
}
