import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V8_FLAGS } from '../../src/core/v8-flags.js';
import { BUNDLE } from './support.js';

describe('V8 flags for a short-lived CLI', () => {
  it('are set by the bundle before the command line is parsed', () => {
    // A preload that reports every setFlagsFromString call (the bundle's import binds to it).
    const dir = mkdtempSync(join(tmpdir(), 'brine-v8-'));
    const hook = join(dir, 'hook.cjs');
    writeFileSync(hook, "const v8 = require('v8'); const set = v8.setFlagsFromString; v8.setFlagsFromString = (f) => { process.stderr.write('flags: ' + f + '\\n'); set(f); };\n");
    const r = spawnSync('node', ['--require', hook, BUNDLE, '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe(`flags: ${V8_FLAGS}\n`);
  });

  it('come first in main.ts, so no other module runs code before them', () => {
    const main = readFileSync(resolve(__dirname, '../../src/cli/main.ts'), 'utf8');
    expect(main.match(/^import .*$/m)?.[0]).toBe("import './v8-flags.js';");
  });
});
