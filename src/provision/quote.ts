// Quoting for the two places a command line must be one string: the remote shell ssh hands
// its command to (POSIX sh rules), and rsync's -e option (rsync's own, simpler rules).

import { shellWord } from '../core/shell-word.js';

const SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** One argument for a POSIX shell: as is when plainly safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  return SAFE.test(arg) ? arg : shellWord(arg);
}

/** argv → the one string ssh sends; the remote shell splits it back into exactly these words. */
export function remoteCommand(argv: string[]): string {
  if (!argv.length) throw new Error('empty remote command');
  return argv.map(shellQuote).join(' ');
}

/**
 * One argument inside rsync's `-e` string. rsync splits it on spaces and honours single and
 * double quotes, a doubled quote inside quotes being a literal one — but no backslashes.
 */
export function rsyncQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  return SAFE.test(arg) ? arg : `'${arg.replace(/'/g, "''")}'`;
}

/** The inverse of rsync's -e splitting (main.c do_cmd), for tests that prove the round trip. */
export function rsyncSplit(cmd: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < cmd.length) {
    if (cmd[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    let quote = '';
    while (i < cmd.length && (cmd[i] !== ' ' || quote)) {
      const c = cmd[i];
      if (c === "'" || c === '"') {
        if (!quote) {
          quote = c;
          i++;
          continue;
        }
        if (c === quote) {
          if (cmd[i + 1] !== quote) {
            quote = '';
            i++;
            continue;
          }
          i++; // a doubled quote is one literal quote
        }
      }
      word += cmd[i++];
    }
    if (quote) throw new Error('unbalanced quotes');
    out.push(word);
  }
  return out;
}
