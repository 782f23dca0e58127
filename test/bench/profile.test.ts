import { describe, expect, it } from 'vitest';
import { countExecs, moduleIndex, packageOf, programSource, summarizeProfile, type CpuProfile } from '../../bench/profile.js';

const bundle = ['#!/usr/bin/env node', 'prelude();', '// node_modules/yaml/dist/parse.js', 'function parse() {}', '', '// src/compile/load.ts', 'function compile() {}', 'more();'].join('\n');

describe('bench profile', () => {
  it("maps a bundle line to the module esbuild's comment names", () => {
    const at = moduleIndex(bundle);
    expect([0, 2, 3, 4, 5, 7].map(at)).toEqual(['(bundle prelude)', 'node_modules/yaml/dist/parse.js', 'node_modules/yaml/dist/parse.js', 'node_modules/yaml/dist/parse.js', 'src/compile/load.ts', 'src/compile/load.ts']);
  });

  it('reads the program out of dist/brine.js, where it is a string constant compiled under the file name', () => {
    const file = `#!/usr/bin/env node\nconst BRINE_MAIN = ${JSON.stringify(bundle)};\nconst BRINE_MAIN_SHA256 = "x";\nboot();\n`;
    expect(programSource(file)).toBe(bundle);
    expect(programSource(bundle)).toBe(bundle);
    expect(moduleIndex(programSource(file))(3)).toBe('node_modules/yaml/dist/parse.js');
  });

  it('names packages and src/ directories', () => {
    expect(packageOf('node_modules/yaml/dist/parse.js')).toBe('yaml');
    expect(packageOf('node_modules/@scope/pkg/x.js')).toBe('@scope/pkg');
    expect(packageOf('src/compile/load.ts')).toBe('src/compile');
  });

  it('sums self time per function and per package', () => {
    const url = 'file:///opt/bench/brine/brine.js';
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'parse', url, lineNumber: 3 } },
        { id: 3, callFrame: { functionName: 'compile', url, lineNumber: 6 } },
        { id: 4, callFrame: { functionName: 'readFileSync', url: 'node:fs', lineNumber: 10 } },
        { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      ],
      samples: [2, 2, 3, 4, 5, 2],
      timeDeltas: [1000, 2000, 500, 250, 250, 1000],
    };
    const s = summarizeProfile(p, bundle);
    expect(s.total_ms).toBe(5);
    expect(s.top[0]).toEqual({ name: 'parse node_modules/yaml/dist/parse.js', self_ms: 4 });
    expect(s.byPackage).toEqual([
      { name: 'yaml', self_ms: 4 },
      { name: 'src/compile', self_ms: 0.5 },
      { name: 'node internals', self_ms: 0.25 },
      { name: '(garbage collector)', self_ms: 0.25 },
    ]);
  });

  it('counts successful execve calls in strace -f output', () => {
    const trace = [
      '100 execve("/usr/bin/node", ["node", "brine.js"], 0x7ffd /* 20 vars */) = 0',
      '101 execve("/usr/local/bin/systemctl", ["systemctl"], 0x1 /* 3 vars */) = -1 ENOENT (No such file or directory)',
      '101 execve("/usr/bin/systemctl", ["systemctl", "show"], 0x1 /* 3 vars */) = 0',
      '101 +++ exited with 0 +++',
    ].join('\n');
    expect(countExecs(trace)).toBe(2);
  });
});
