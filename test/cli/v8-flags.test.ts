import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V8_FLAGS } from '../../src/core/v8-flags.js';
import { BUNDLE } from './support.js';
import { tempDir } from '../support/temp.js';

describe('V8 flags for a short-lived CLI', () => {
  it('are set once by the bundle, before the program is compiled', () => {
    // A preload that reports every setFlagsFromString call and every vm.Script compiled.
    const dir = tempDir('brine-v8-');
    const hook = join(dir, 'hook.cjs');
    writeFileSync(
      hook,
      [
        "const v8 = require('v8'); const set = v8.setFlagsFromString;",
        "v8.setFlagsFromString = (f) => { process.stderr.write('flags: ' + f + '\\n'); set(f); };",
        "const vm = require('vm'); const S = vm.Script;",
        "vm.Script = class extends S { constructor(...a) { process.stderr.write('compile\\n'); super(...a); } };",
      ].join('\n'),
    );
    const r = spawnSync('node', ['--require', hook, BUNDLE, '--version'], { encoding: 'utf8', env: { ...process.env, BRINE_CODE_CACHE: 'off' } });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe(`flags: ${V8_FLAGS}\ncompile\n`);
  });
});
