// --no-color, --quiet and --verbose: the same three words for every command's human output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';
import { BUNDLE, brine } from './support.js';

function project(): string {
  const target = tempDir('brine-flags-');
  return makeProject({
    'states/top.yaml': "base:\n  '*': [m]\n",
    'states/m.yaml': `${target}/new.txt:\n  file.managed:\n    contents: hi\n${target}:\n  file.directory: []\n`,
  });
}

/** The bundle on a pseudo-terminal (colour is for terminals only), as `script` runs it. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const cmd = ['node', BUNDLE, ...args].map((a) => `'${a}'`).join(' ');
  const r = await execa('script', ['-qec', cmd, '/dev/null'], { reject: false, env: { BRINE_VAR_DIR: tempDir('brine-var-'), ...env } });
  return r.stdout;
}

describe('output flags', () => {
  it('--quiet leaves out states with nothing to do, --verbose shows them whole', async () => {
    const dir = project();
    const normal = await brine(['apply', '--test', '-e', 'x', '--dir', dir]);
    expect(normal.stdout).toMatch(/^ {2}ok {7}\/\S+ \(file\.directory\)$/m);
    const quiet = await brine(['apply', '--test', '-e', 'x', '--dir', dir, '--quiet']);
    expect(quiet.stdout).not.toContain('file.directory');
    expect(quiet.stdout).toContain('Result: pending');
    expect(quiet.stdout).toContain('Succeeded: 2 (changed=0, pending=1)');
    const verbose = await brine(['-v', 'apply', '--test', '-e', 'x', '--dir', dir]);
    expect(verbose.stdout).toMatch(/Function: file\.directory\n\s+Name: \S+\n\s+Result: ok/);
    const both = await brine(['apply', '-q', '--verbose', '--test', '-e', 'x', '--dir', dir]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--quiet and --verbose contradict each other');
  });

  it('colours a terminal unless --no-color or NO_COLOR says not to', async () => {
    const dir = project();
    const args = ['apply', '--test', '-e', 'x', '--dir', dir];
    expect(await onTerminal(args)).toContain('\x1b[32m');
    expect(await onTerminal([...args, '--no-color'])).not.toContain('\x1b[');
    expect(await onTerminal(args, { NO_COLOR: '1' })).not.toContain('\x1b[');
  });

  it('--quiet applies to check and init too', async () => {
    const dir = makeProject({ 'states/top.yaml': "base:\n  '*': []\n", 'pillar/top.yaml': 'base: {}\n', 'pillar/staging/env.yaml': 'hosts: [192.0.2.1]\n' });
    expect((await brine(['check', '--dir', dir])).stdout).toContain('staging: 192.0.2.1: ok');
    const quiet = await brine(['check', '--dir', dir, '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    const fresh = tempDir('brine-init-q-');
    writeFileSync(join(fresh, '.gitignore'), 'pillar/*/secrets.yaml\n');
    const init = await brine(['init', fresh, '--minimal', '--quiet']);
    expect(init.code).toBe(0);
    expect(init.stdout).toBe('');
  });
});
