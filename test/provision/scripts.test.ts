// The shell scripts sent to hosts: valid POSIX sh (dash), bundled, versioned.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootstrapVersion, collectInput, launchInput, scripts } from '../../src/provision/scripts.js';

describe('remote scripts', () => {
  const sent = { bootstrap: scripts.bootstrap, launch: launchInput('@@brine-collect-00ff'), collect: collectInput };
  it.each(Object.keys(sent))('%s, as sent, parses with dash -n', async (name) => {
    const r = await execa('dash', ['-n'], { input: sent[name as keyof typeof sent], reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('collect.sh only defines collect_runs: the launcher runs it after its run, collectInput alone', () => {
    expect(scripts.collect).toMatch(/^collect_runs\(\) \{$/m);
    expect(scripts.collect).not.toMatch(/^(main|collect_runs)( "\$@")? <\/dev\/null$/m);
    expect(scripts.launch).toMatch(/^ {2}printf '%s\\n' "\$BRINE_MARK"\n {2}collect_runs "\$runs" "\$reports" \|\| /m);
    expect(collectInput.trimEnd().endsWith('collect_runs "$@" </dev/null')).toBe(true);
  });

  it('bundles the top-level bootstrap.sh and versions it by content', () => {
    expect(scripts.bootstrap).toBe(readFileSync(new URL('../../bootstrap.sh', import.meta.url), 'utf8'));
    expect(bootstrapVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('runs each script from a function with stdin closed (the script itself arrives on stdin)', () => {
    for (const s of [scripts.bootstrap, scripts.launch]) expect(s.trimEnd().endsWith('main "$@" </dev/null')).toBe(true);
  });
});
