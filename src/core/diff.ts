// Unified diffs for the report (the `diff` package), with binary and size guards.
import { createTwoFilesPatch } from 'diff';

const MAX_DIFF_INPUT = 512 * 1024;

export function unifiedDiff(path: string, before: string | Buffer | null, after: string | Buffer): string {
  const isBinary = (b: string | Buffer | null) => b !== null && typeof b !== 'string' && b.includes(0);
  if (isBinary(before) || isBinary(after)) return `Binary file ${path} differs\n`;
  const a = before === null ? '' : before.toString();
  const b = after.toString();
  if (a.length + b.length > MAX_DIFF_INPUT) return `File ${path} differs (too large to diff)\n`;
  const patch = createTwoFilesPatch(before === null ? '/dev/null' : path, path, a, b, undefined, undefined, { context: 3 });
  // Drop the "=====" banner line the diff package puts first.
  return patch.replace(/^=+\n/, '');
}
