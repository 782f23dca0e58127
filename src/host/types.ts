// The one host interface. Planning gets only HostView (read side); applying gets Host.
// Splitting the capability by type is what makes `--test` structurally unable to write.

export interface CommandResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text fed to the command's stdin (how secrets reach a command: never via argv). */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Milliseconds before the command is killed. */
  timeout?: number;
}

export type FileType = 'file' | 'directory' | 'symlink' | 'other';

export interface FileStat {
  type: FileType;
  /** Permission bits only, e.g. 0o644. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Link target, for symlinks (stat is lstat: links are not followed). */
  target?: string;
  /** Last modification, ms since the epoch (freshness checks such as apt's package lists). */
  mtimeMs?: number;
}

/**
 * A file's bytes by reference (a large `source:` copied as it is): compared by size and SHA-256,
 * copied in chunks, never held in memory whole.
 */
export interface FileSource {
  path: string;
  size: number;
  sha256: string;
}

/** What a write or a scratch candidate holds. */
export type Content = string | Buffer | FileSource;

export const isFileSource = (c: Content): c is FileSource => typeof c === 'object' && !Buffer.isBuffer(c);

export interface WriteOptions {
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Read-only view of a host: all a plan may use. */
export interface HostView {
  readonly name: string;
  /** File content as UTF-8, or null when the path does not exist. */
  readFile(path: string): Promise<string | null>;
  readBytes(path: string): Promise<Buffer | null>;
  stat(path: string): Promise<FileStat | null>;
  readdir(path: string): Promise<string[] | null>;
  /** SHA-256 (hex) of a file's bytes, read in chunks; null when it does not exist. */
  hashFile(path: string): Promise<string | null>;
  /** Run a command that only reads (dpkg-query, systemctl show, unless/onlyif, validators). */
  query(argv: string[], opts?: RunOptions): Promise<CommandResult>;
  /**
   * Write a candidate file into a private scratch directory (never a managed path), so
   * validators can check it before anything real changes — in `--test` too.
   * Returns the scratch path; all scratch files are removed when the run ends.
   */
  scratch(content: Content, opts?: { name?: string; mode?: number }): Promise<string>;
  /** Values cached for the run; cleared whenever a change is applied. */
  readonly facts: FactCache;
  /**
   * A fact no file holds, as the changes planned so far leave it (a unit enabled and started):
   * only a predicted host (`--test`) has them; the real host answers undefined or lacks the method.
   */
  predicted?(topic: string, key: string): Record<string, unknown> | undefined;
}

/**
 * The file side of changing a host. The real Host has it, and so does the predicted host of a dry
 * run (an in-memory overlay): a change written against FileWriter both applies and predicts itself.
 */
export interface FileWriter extends HostView {
  /** Atomic write: temp file in the same directory, fsync, chown/chmod, rename. */
  writeFile(path: string, content: Content, opts?: WriteOptions): Promise<void>;
  mkdir(path: string, opts?: WriteOptions & { parents?: boolean }): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Remove a file, link or (recursively) a directory. */
  remove(path: string): Promise<void>;
  /** Move a file or directory within one filesystem (atomic: a release unpacked aside, then put in place). */
  rename(from: string, to: string): Promise<void>;
}

/** Full host: the read and file sides plus commands. */
export interface Host extends FileWriter {
  exec(argv: string[], opts?: RunOptions): Promise<CommandResult>;
  /** Drop every cached fact: called by the engine after each applied change. */
  invalidate(): void;
}

export interface FactCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Drops every value but those under `keep`. */
  clear(keep?: string[]): void;
}
