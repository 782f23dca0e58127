// A local file's digest, read a chunk at a time (large state-tree sources are never held whole).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

export function digestFileSync(path: string, algorithm = 'sha256'): string {
  const hash = createHash(algorithm);
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
