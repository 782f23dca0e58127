// Salt's file.replace takes Python regular expressions and replacements; this turns the common
// forms into JavaScript's, and refuses what has no faithful translation.

const FLAG_BITS: Record<string, [number, string]> = { IGNORECASE: [2, 'i'], I: [2, 'i'], MULTILINE: [8, 'm'], M: [8, 'm'], DOTALL: [16, 's'], S: [16, 's'] };

/** Salt's `flags`: a list of names (`[IGNORECASE, MULTILINE]`) or Python's bitmask (default 8). */
export function jsFlags(flags: unknown): string | { error: string } {
  if (typeof flags === 'number') {
    if (flags & ~(2 | 8 | 16)) return { error: `flags ${flags}: only IGNORECASE (2), MULTILINE (8) and DOTALL (16) are supported` };
    return Object.values(FLAG_BITS).filter(([bit], i, all) => flags & bit && all.findIndex(([b]) => b === bit) === i).map(([, f]) => f).join('');
  }
  const names = Array.isArray(flags) ? flags : typeof flags === 'string' ? [flags] : undefined;
  if (!names) return { error: 'flags: expected a list of names or a number' };
  let out = '';
  for (const n of names) {
    const f = FLAG_BITS[String(n).toUpperCase()];
    if (!f) return { error: `flags: ${JSON.stringify(n)} is not supported (IGNORECASE, MULTILINE, DOTALL)` };
    if (!out.includes(f[1])) out += f[1];
  }
  return out;
}

/** A Python pattern as a JavaScript one: named groups and backreferences, \A and \Z. */
export function jsPattern(pattern: string): string | { error: string } {
  if (/\(\?[aiLmsux]+\)/.test(pattern)) return { error: 'inline flags like (?i) are not supported: use flags: [IGNORECASE]' };
  if (/\(\?#/.test(pattern)) return { error: 'regex comments (?#…) are not supported' };
  return pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^(?<![\\s\\S])')
    .replace(/\\Z/g, '(?![\\s\\S])');
}

/** A Python replacement (`\1`, `\g<name>`) as JavaScript's (`$1`, `$<name>`), literal `$` kept. */
export function jsReplacement(repl: string): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c === '$') out += '$$';
    else if (c !== '\\' || i === repl.length - 1) out += c;
    else {
      const rest = repl.slice(i + 1);
      const num = /^\d{1,2}/.exec(rest);
      const named = /^g<(\w+)>/.exec(rest);
      const escapes: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };
      if (num) {
        out += `$${num[0]}`;
        i += num[0].length;
      } else if (named) {
        out += /^\d+$/.test(named[1]) ? `$${named[1]}` : `$<${named[1]}>`;
        i += named[0].length;
      } else if (escapes[rest[0]] !== undefined) {
        out += escapes[rest[0]];
        i += 1;
      } else out += c;
    }
  }
  return out;
}
