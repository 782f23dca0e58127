// Quoting: argv survives the remote shell and rsync's -e splitting word for word.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { remoteCommand, rsyncQuote, rsyncSplit, shellQuote } from '../../src/provision/quote.js';
import { tempDir } from '../support/temp.js';

const NASTY = ['plain', 'two words', "it's", '$(touch /tmp/pwned)', '`id`', 'a;b&&c|d', '"dq"', "'", '', 'new\nline', '*', '~root', '-n', 'back\\slash', 'tab\there', '%n $$ ${HOME}'];

describe('shellQuote / remoteCommand', () => {
  it('round-trips every argument through a real POSIX shell', async () => {
    const script = remoteCommand(['printf', '%s\\0', ...NASTY]);
    const r = await execa('sh', ['-c', script]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(NASTY);
  });

  it('leaves plain words alone and refuses NUL', () => {
    expect(shellQuote('/var/lib/brine/run/x')).toBe('/var/lib/brine/run/x');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => remoteCommand([])).toThrow(/empty/);
  });
});

describe('rsyncQuote', () => {
  const words = NASTY.filter((w) => !w.includes('\n') && !w.includes('\t'));

  it('round-trips through our model of rsync -e splitting', () => {
    expect(rsyncSplit(words.map(rsyncQuote).join(' '))).toEqual(words);
  });

  it('round-trips through the real rsync', async () => {
    const dir = tempDir('brine-rsh-');
    const fake = join(dir, 'fake ssh');
    const out = join(dir, 'args');
    // Stands in for ssh: records the argv rsync gave it, then fails the transfer.
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > ${shellQuote(out)}\nexit 1\n`);
    chmodSync(fake, 0o755);
    const rsh = [fake, ...words].map(rsyncQuote).join(' ');
    await execa('rsync', ['-e', rsh, '--', dir + '/', 'somehost:/tmp/x/'], { reject: false });
    const got = readFileSync(out, 'utf8').split('\0').slice(0, -1);
    expect(got.slice(0, words.length)).toEqual(words);
  });
});
