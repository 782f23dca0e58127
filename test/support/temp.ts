// Temporary directories for tests, benchmarks and scripts: each one made here is removed when
// the test file's tests end (test/support/cleanup.ts registers that) or, outside vitest, when
// the process exits. Nothing a run makes stays in /tmp (test/support/tmp-check.ts proves it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix = 'brine-test-'): string {
  if (!made.length) process.once('exit', removeTempDirs);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
