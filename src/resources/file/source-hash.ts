// file.managed's `source_hash`: Salt's pinned digest of a source, checked when compiling, so a
// source that differs from what was reviewed fails before anything runs (in --test too).
import { createHash } from 'node:crypto';
import type { Args } from '../../core/args.js';
import { digestFileSync } from '../../core/file-digest.js';
import { isFileSource, type FileSource } from '../../host/types.js';

/** Salt's hash types, by the length of their hex digest (a bare digest names its type so). */
const BY_LENGTH: Record<number, string> = { 32: 'md5', 40: 'sha1', 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

export interface SourceHash {
  algorithm: string;
  hex: string;
}

/** `sha256=HEX` or a bare `HEX`; a hash file or URL is refused (brine reads no remote source). */
export function parseSourceHash(text: string): SourceHash | { error: string } {
  const m = /^(?:(md5|sha1|sha224|sha256|sha384|sha512)=)?([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m) return { error: `expected a digest (sha256=HEX, or the hex digest alone), got ${JSON.stringify(text)}: a hash file or URL is not supported, as brine's sources are in the state tree` };
  const algorithm = m[1] ?? BY_LENGTH[m[2].length];
  if (!algorithm || BY_LENGTH[m[2].length] !== algorithm) return { error: `${m[2].length} hex digits is not a ${m[1] ?? 'known'} digest` };
  return { algorithm, hex: m[2].toLowerCase() };
}

/** Checks the source's bytes (as stored, before any template) against the pinned digest. */
export function checkSourceHash(a: Args, text: string, source: string, bytes: Buffer | string | FileSource): void {
  const want = parseSourceHash(text);
  if ('error' in want) return a.problem('source_hash', want.error);
  const got = digest(bytes, want.algorithm);
  if (got !== want.hex) a.problem('source_hash', `${source} has ${want.algorithm} ${got}, not ${want.hex} as source_hash says: the source changed since it was pinned`);
}

function digest(bytes: Buffer | string | FileSource, algorithm: string): string {
  return isFileSource(bytes) ? digestFileSync(bytes.path, algorithm) : createHash(algorithm).update(bytes).digest('hex');
}
