// Diffs of files that hold secrets: what masking by value cannot catch.
import { MASK, type Secrets } from '../../core/secrets.js';

/**
 * Masking by value cannot know a secret's *old* value, which a diff's `-` lines would show when a
 * secret changes. So in a file that holds secrets, every removed line is masked whole (keeping
 * only a `KEY=` or `key:` prefix); added and unchanged lines hold current values, masked as usual.
 */
export function hideSecretLines(diff: string, content: Buffer | string, secrets?: Secrets): string {
  if (!secrets || !secrets.within(content.toString())) return diff;
  return diff
    .split('\n')
    .map((line) => {
      if (!line.startsWith('-') || line.startsWith('--- ')) return line;
      const prefix = /^-\s*[A-Za-z0-9_.-]+\s*[=:]\s*/.exec(line)?.[0] ?? '-';
      return `${prefix}${MASK}`;
    })
    .join('\n');
}
