// `brine completion bash`: the script bash loads completes commands, options and environments.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { BUNDLE } from './support.js';

const dir = tempDir('brine-completion-');
for (const env of ['staging', 'production']) {
  mkdirSync(join(dir, 'pillar', env), { recursive: true });
  writeFileSync(join(dir, 'pillar', env, 'env.yaml'), 'hosts: []\n');
}
mkdirSync(join(dir, 'pillar', 'notanenv'));

/** What bash offers for the words typed so far (a trailing space starts a new word). */
async function complete(script: string, typed: string): Promise<string[]> {
  const program = `${script}\nread -ra COMP_WORDS <<< "$TYPED"; [[ "$TYPED" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _brine; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', program], { cwd: dir, env: { TYPED: typed } });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('brine completion', () => {
  it('completes commands, their options and the project environments', async () => {
    const script = (await execa('node', [BUNDLE, 'completion', 'bash'])).stdout;
    expect(await complete(script, 'brine pro')).toEqual(['provision']);
    expect(await complete(script, 'brine apply --te')).toEqual(['--test']);
    expect(await complete(script, 'brine provision ')).toEqual(['production', 'staging']);
    expect(await complete(script, 'brine apply --env st')).toEqual(['staging']);
    expect(await complete(script, 'brine history p')).toEqual(['production']);
  });

  it('gives zsh the same function through bashcompinit, and refuses other shells', async () => {
    const zsh = (await execa('node', [BUNDLE, 'completion', 'zsh'])).stdout;
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -F _brine brine');
    const fish = await execa('node', [BUNDLE, 'completion', 'fish'], { reject: false });
    expect(fish.exitCode).toBe(1);
    expect(fish.stderr).toContain('expected bash or zsh');
  });
});
