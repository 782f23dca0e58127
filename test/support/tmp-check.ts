// Global setup of both test projects: the run gets a private TMPDIR, and whatever is left in it
// when the run ends fails the run, listed (tests must remove their temporary files and keys).
// Private, so that other runs on the machine cannot make this one fail, nor hide its leftovers.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'BRINE_TEST_TMPDIR';

export default function setup(): (() => void) | undefined {
  if (process.env[MARK]) return undefined; // the other project's setup made it
  const root = mkdtempSync(join(tmpdir(), 'brine-tests-'));
  process.env[MARK] = root;
  process.env.TMPDIR = root;
  return () => {
    const left = readdirSync(root);
    rmSync(root, { recursive: true, force: true });
    if (left.length) throw new Error(`tests left ${left.length} temporary file(s) behind in ${root}: ${left.sort().join(', ')}`);
  };
}
