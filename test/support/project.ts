// Temp projects for tests: write states/ and pillar/ files, compile them, run them on a host.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile, type Compiled } from '../../src/compile/load.js';
import type { Facts } from '../../src/compile/facts.js';
import { runStates } from '../../src/apply/engine.js';
import type { Report } from '../../src/apply/report-types.js';
import { SpecError, type Problem } from '../../src/core/errors.js';
import type { Host } from '../../src/host/types.js';
import { registry } from '../../src/resources/index.js';
import { tempDir } from './temp.js';

/** Write files (path → text) into a fresh temp dir and return it. */
export function makeProject(files: Record<string, string>, dir = tempDir('brine-proj-')): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function facts(over: Partial<Facts> = {}): Facts {
  return {
    id: 'web1',
    hostname: 'web1',
    fqdn: 'web1.example.test',
    env: 'staging',
    roles: ['web'],
    os: { id: 'debian', version_id: '12', codename: 'bookworm', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
    ...over,
  };
}

export function compileProject(dir: string, over: Partial<Facts> = {}, only?: string[]): Compiled {
  return compile({ dir, facts: facts(over), only }, registry);
}

/** Compile a single state file's text (as states/main.yaml) with an optional pillar. */
export function compileStates(states: string, pillar: Record<string, string> = {}, over: Partial<Facts> = {}): Compiled {
  const files: Record<string, string> = { 'states/main.yaml': states };
  for (const [k, v] of Object.entries(pillar)) files[`pillar/${k}`] = v;
  if (Object.keys(pillar).length && !pillar['top.yaml']) {
    files['pillar/top.yaml'] = `base:\n  '*':\n${Object.keys(pillar).map((k) => `    - ${k.replace(/\.yaml$/, '').replace(/\//g, '.')}`).join('\n')}\n`;
  }
  return compileProject(makeProject(files), over, ['main']);
}

export function run(c: Compiled, host: Host, test: boolean, varDir = '/var/lib/brine'): Promise<Report> {
  return runStates(c, registry, host, { test, env: 'staging', varDir });
}

/** Result per state id ("id" or "id|kind" when an id has several kinds). */
export function results(r: Report): Record<string, string> {
  return Object.fromEntries(r.states.map((s) => [s.id, s.result]));
}

/** The problems of a compile that must fail. */
export function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.problems;
    throw err;
  }
  throw new Error('expected the compile to fail');
}
