// The agent's loader: runs a CommonJS bundle as `node BUNDLE` would, through a V8 code cache it
// keeps valid (a rewrite gives the cache file a new inode; an accepted cache is left alone).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentLoader } from '../../src/provision/scripts.js';

const BUNDLE = `#!/usr/bin/env node
"use strict";
const path = require('node:path');
process.stdout.write(JSON.stringify({ argv: process.argv.slice(1), file: __filename, dir: __dirname, sep: path.sep, exports: module.exports === exports }));
process.exitCode = 3;
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'brine-load-'));
  const loader = join(dir, 'agent-load.cjs');
  writeFileSync(loader, agentLoader);
  const bundle = join(dir, 'brine.js');
  writeFileSync(bundle, BUNDLE);
  const cache = join(dir, 'brine.v8cache');
  const run = (cacheFile = cache, flags: string[] = []) => spawnSync('node', [...flags, loader, cacheFile, bundle, 'apply', '--test'], { encoding: 'utf8' });
  return { dir, bundle, cache, run };
}

describe('agent-load.cjs', () => {
  it('runs the bundle with the argv, __filename and exit status it would have run directly', () => {
    const s = setup();
    const r = s.run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ argv: [s.bundle, 'apply', '--test'], file: s.bundle, dir: s.dir, sep: '/', exports: true });
  });

  it('writes a code cache, keeps it while it is valid and replaces it when the bundle changes', () => {
    const s = setup();
    s.run();
    const first = statSync(s.cache);
    expect(first.size).toBeGreaterThan(0);
    expect(first.mode & 0o777).toBe(0o600);
    s.run();
    expect(statSync(s.cache).ino).toBe(first.ino); // accepted: not rewritten
    // Same length, other text: V8 itself would take the cache (it compares lengths) and run 3.
    writeFileSync(s.bundle, BUNDLE.replace('exitCode = 3', 'exitCode = 4'));
    const r = s.run();
    expect(r.status).toBe(4);
    expect(statSync(s.cache).ino).not.toBe(first.ino); // made again for this text
    expect(readFileSync(s.cache, 'latin1')).toMatch(/^brine-code-cache [0-9a-f]{64}\n/);
  });

  it('replaces a cache made under other V8 flags', () => {
    const s = setup();
    s.run();
    const first = statSync(s.cache).ino;
    s.run(s.cache, ['--interrupt-budget=1081344']);
    expect(statSync(s.cache).ino).not.toBe(first);
  });

  it('still runs the bundle when the cache cannot be read or written', () => {
    const s = setup();
    const r = s.run(join(s.dir, 'missing', 'brine.v8cache'));
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('');
    expect(existsSync(join(s.dir, 'missing'))).toBe(false);
    writeFileSync(s.cache, 'not a code cache');
    expect(s.run().status).toBe(3);
    expect(statSync(s.cache).size).toBeGreaterThan('not a code cache'.length);
  });

  it('says how to use it when arguments are missing', () => {
    const s = setup();
    const r = spawnSync('node', [join(s.dir, 'agent-load.cjs')], { encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^usage: node agent-load.cjs CACHE_FILE BUNDLE ARGS/);
  });
});
