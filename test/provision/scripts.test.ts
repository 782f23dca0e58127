// The shell scripts sent to hosts: valid POSIX sh (dash), bundled, versioned.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootstrapVersion, scripts } from '../../src/provision/scripts.js';

describe('remote scripts', () => {
  it.each(Object.keys(scripts))('%s parses with dash -n', async (name) => {
    const r = await execa('dash', ['-n'], { input: scripts[name as keyof typeof scripts], reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('bundles the top-level bootstrap.sh and versions it by content', () => {
    expect(scripts.bootstrap).toBe(readFileSync(new URL('../../bootstrap.sh', import.meta.url), 'utf8'));
    expect(bootstrapVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('runs each script from a function with stdin closed (the script itself arrives on stdin)', () => {
    for (const s of Object.values(scripts)) expect(s.trimEnd().endsWith('main "$@" </dev/null')).toBe(true);
  });
});
