// The layers read top-down: a module imports only from its own layer or the ones below it.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');
/** Lowest first. `boot` is the bundle's loader, beside `host`: it needs only core vocabulary. */
const LAYERS = ['core', 'host|boot', 'resources', 'compile', 'apply', 'provision', 'cli'];
const levelOf = (file: string) => {
  const top = relative(SRC, file).split('/')[0];
  const i = LAYERS.findIndex((l) => l.split('|').includes(top));
  if (i < 0) throw new Error(`${file}: not in a known layer (${LAYERS.join(', ')})`);
  return i;
};

describe('layers', () => {
  it('no import runs back up', () => {
    const upward: string[] = [];
    for (const file of fg.sync('**/*.ts', { cwd: SRC, absolute: true })) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]);
        if (relative(SRC, target).startsWith('..')) continue; // bootstrap.sh and other files outside src
        if (levelOf(target) > levelOf(file)) upward.push(`${relative(SRC, file)} → ${m[1]}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
