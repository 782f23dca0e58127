// dist/brine.js as scripts/build.mjs makes it, around a small program: runs it as `node FILE`
// would, through a V8 code cache it keeps valid (a rewrite gives the file a new inode; an
// accepted cache is left alone) and trusts only when nobody else can write it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeCacheFile } from '../../src/boot/code-cache.js';
// @ts-expect-error: a plain .mjs build script without types
import { bundleBoot, embed } from '../../scripts/embed.mjs';
import { tempDir } from '../support/temp.js';

const MAIN = `"use strict";
const path = require('node:path');
process.stdout.write(JSON.stringify({ argv: process.argv.slice(1), file: __filename, dir: __dirname, sep: path.sep, exports: module.exports === exports, main: require.main === module }));
process.exitCode = 3;
`;

let boot: string;
beforeAll(async () => {
  boot = await bundleBoot();
});

function setup(main = MAIN) {
  const dir = tempDir('brine-boot-');
  const file = join(dir, 'brine.js');
  const cache = join(dir, 'cache', 'code-cache');
  const write = (m: string) => writeFileSync(file, (embed as (m: string, b: string) => string)(m, boot));
  write(main);
  const run = (env: Record<string, string> = { BRINE_CODE_CACHE: cache }, flags: string[] = []) =>
    spawnSync('node', [...flags, file, 'apply', '--test'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { dir, file, cache, write, run };
}

describe('dist/brine.js boot', () => {
  it('runs the program as the main module, with the argv, __filename and exit status of a direct run', () => {
    const s = setup();
    const r = s.run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ argv: [s.file, 'apply', '--test'], file: s.file, dir: s.dir, sep: '/', exports: true, main: true });
  });

  it('writes a private code cache, keeps it while valid and replaces it when the program changes', () => {
    const s = setup();
    s.run();
    const first = statSync(s.cache);
    expect(first.mode & 0o777).toBe(0o600);
    expect(statSync(join(s.dir, 'cache')).mode & 0o777).toBe(0o700);
    expect(readFileSync(s.cache, 'latin1')).toMatch(/^brine-code-cache [0-9a-f]{64}\n/);
    s.run();
    expect(statSync(s.cache).ino).toBe(first.ino); // accepted: not rewritten
    // Same length, other text: V8 alone would take the cache (it compares lengths) and exit 3.
    s.write(MAIN.replace('exitCode = 3', 'exitCode = 4'));
    expect(s.run().status).toBe(4);
    expect(statSync(s.cache).ino).not.toBe(first.ino);
  });

  it('replaces a cache made under other V8 flags', () => {
    const s = setup();
    s.run({ BRINE_CODE_CACHE: s.cache }, ['--no-lazy-feedback-allocation']);
    const first = statSync(s.cache).ino;
    s.run();
    expect(statSync(s.cache).ino).not.toBe(first);
  });

  it('ignores a cache others could have written, and still runs', () => {
    const s = setup();
    s.run();
    chmodSync(s.cache, 0o666);
    const ino = statSync(s.cache).ino;
    expect(s.run().status).toBe(3);
    expect(statSync(s.cache).ino).not.toBe(ino); // not used: made again, privately
    expect(statSync(s.cache).mode & 0o777).toBe(0o600);
    chmodSync(join(s.dir, 'cache'), 0o777);
    const again = statSync(s.cache).ino;
    expect(s.run().status).toBe(3);
    expect(statSync(s.cache).ino).not.toBe(again);
  });

  it('runs without a cache when it is off, or its directory cannot be made', () => {
    const s = setup();
    expect(s.run({ BRINE_CODE_CACHE: 'off' }).status).toBe(3);
    writeFileSync(join(s.dir, 'blocker'), '');
    const r = s.run({ BRINE_CODE_CACHE: join(s.dir, 'blocker', 'code-cache') });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('');
    expect(existsSync(join(s.dir, 'cache'))).toBe(false);
  });
});

describe('codeCacheFile', () => {
  it('is BRINE_CODE_CACHE, else /var/cache/brine for root, else the XDG cache', () => {
    expect(codeCacheFile({ BRINE_CODE_CACHE: '/x/c' }, 1000)).toBe('/x/c');
    expect(codeCacheFile({ BRINE_CODE_CACHE: 'off' }, 0)).toBeUndefined();
    expect(codeCacheFile({}, 0)).toBe('/var/cache/brine/code-cache');
    expect(codeCacheFile({ HOME: '/home/a' }, 1000)).toBe('/home/a/.cache/brine/code-cache');
    expect(codeCacheFile({ HOME: '/home/a', XDG_CACHE_HOME: '/c' }, 1000)).toBe('/c/brine/code-cache');
  });
});
