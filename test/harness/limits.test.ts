import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inotifyInstancesFor, raiseInotifyLimit } from './limits.js';
import { tempDir } from '../support/temp.js';

describe('inotify limit', () => {
  const file = (value: number) => {
    const f = join(tempDir('brine-limits-'), 'max_user_instances');
    writeFileSync(f, `${value}\n`);
    return f;
  };

  it("raises Debian's 128 for a fleet, and says from what to what", () => {
    const f = file(128);
    expect(raiseInotifyLimit(20, f)).toEqual({ from: 128, to: inotifyInstancesFor(20) });
    expect(readFileSync(f, 'utf8')).toBe(`${256 + 20 * 32}\n`);
  });

  it('never lowers a higher limit', () => {
    const f = file(100000);
    expect(raiseInotifyLimit(20, f)).toBeUndefined();
    expect(readFileSync(f, 'utf8')).toBe('100000\n');
  });
});
