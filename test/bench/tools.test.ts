import { describe, expect, it } from 'vitest';
import { compareWithBrine } from '../../bench/equivalence.js';
import { TOOL_SPECS } from '../../bench/tools.js';

const brineOut = (s: string) => `\nSummary for th1 (env staging)\n------------\nSucceeded: 20 (${s})  Failed: 0  Total states: 20  Total time: 0.2 s\n`;
const recap = (changed: number, failed = 0) => `PLAY RECAP ***\nlocalhost                  : ok=15   changed=${changed}    unreachable=0    failed=${failed}    skipped=6\n`;

describe('bench tool checks', () => {
  it('accepts a converge that changed something and a no-op that changed nothing', () => {
    const { brine, ansible, puppet } = TOOL_SPECS;
    expect(brine.problem('converge', { exit: 0, stdout: brineOut('changed=12') })).toBeUndefined();
    expect(brine.problem('noop', { exit: 0, stdout: brineOut('changed=0') })).toBeUndefined();
    expect(brine.problem('dryrun', { exit: 0, stdout: brineOut('changed=0, pending=0') })).toBeUndefined();
    expect(ansible.problem('converge', { exit: 0, stdout: recap(9) })).toBeUndefined();
    expect(ansible.problem('dryrun', { exit: 0, stdout: recap(0) })).toBeUndefined();
    expect(puppet.problem('converge', { exit: 2, stdout: '' })).toBeUndefined();
    expect(puppet.problem('noop', { exit: 0, stdout: '' })).toBeUndefined();
  });

  it('refuses runs that failed, were not idempotent, or changed nothing on a fresh host', () => {
    const { brine, ansible, puppet } = TOOL_SPECS;
    expect(brine.problem('noop', { exit: 0, stdout: brineOut('changed=1') })).toMatch(/not idempotent/);
    expect(brine.problem('dryrun', { exit: 2, stdout: brineOut('changed=0, pending=3') })).toMatch(/exit 2/);
    expect(brine.problem('converge', { exit: 0, stdout: brineOut('changed=0') })).toMatch(/changed nothing/);
    expect(brine.problem('noop', { exit: 1, stdout: 'brine: error: …' })).toMatch(/no summary/);
    expect(ansible.problem('noop', { exit: 0, stdout: recap(2) })).toMatch(/not idempotent/);
    expect(ansible.problem('converge', { exit: 2, stdout: recap(3, 1) })).toMatch(/failed/);
    expect(puppet.problem('converge', { exit: 6, stdout: '' })).toMatch(/exit 6/);
    expect(puppet.problem('dryrun', { exit: 2, stdout: '' })).toMatch(/exit 2/);
  });
});

describe('bench equivalence', () => {
  it("ignores per-host identity and the tools' private files, and lists the rest", () => {
    const brine = { '/etc/hostname': 'file a', '/root/.ansible': 'dir', '/etc/passwd-': 'file 1', '/etc/sudoers.d/alice': 'file 0440 root:root sha256:1', 'unit-active:nginx.service': 'loaded active running' };
    const other = { '/etc/hostname': 'file b', '/root/.puppetlabs': 'dir', '/etc/passwd-': 'file 2', '/etc/sudoers.d/alice': 'file 0440 root:root sha256:2' };
    expect(compareWithBrine(brine, other)).toEqual(['~ /etc/sudoers.d/alice  file 0440 root:root sha256:1 => file 0440 root:root sha256:2', '- unit-active:nginx.service  loaded active running']);
    expect(compareWithBrine(brine, brine)).toEqual([]);
  });

  it("compares a self-signed certificate's metadata only, and explains what a tool writes its own way", () => {
    const keys = (h: string) => ({ '/etc/nginx/tls/x.crt': `file 0644 root:root sha256:${h}`, '/home/bob/.ssh/authorized_keys': `file 0600 bob:bob sha256:${h}` });
    expect(compareWithBrine(keys('1'), keys('2'), 'puppet')).toEqual([
      "~ /home/bob/.ssh/authorized_keys  file 0600 bob:bob sha256:1 => file 0600 bob:bob sha256:2  (Puppet's ssh_authorized_key adds its own '# HEADER' comment lines)",
    ]);
    expect(compareWithBrine(keys('1'), keys('2'), 'ansible')).toEqual(['~ /home/bob/.ssh/authorized_keys  file 0600 bob:bob sha256:1 => file 0600 bob:bob sha256:2']);
  });

  it("leaves out brine's release records and compares what each host writes anew in a virtualenv by metadata only", () => {
    const venv = '/srv/hello/venvs/8ba43ace80c9c3ea';
    const brine = {
      '/srv/hello/deploys.jsonl': 'file 0644 root:root sha256:1',
      '/srv/hello/releases/7e96171/.brine-release.json': 'file 0644 root:root sha256:1',
      [`${venv}/.brine-complete`]: 'file 0644 root:root sha256:1',
      [`${venv}/lib/python3.11/site-packages/pip/__pycache__/__init__.cpython-311.pyc`]: 'file 0644 root:root sha256:1',
      '/srv/hello/releases/7e96171/hello/__pycache__/views.cpython-311.pyc': 'file 0644 root:root sha256:1',
    };
    const twin = {
      [`${venv}/.brine-complete`]: 'file 0644 root:root sha256:2',
      [`${venv}/lib/python3.11/site-packages/pip/__pycache__/__init__.cpython-311.pyc`]: 'file 0644 root:root sha256:2',
      '/srv/hello/releases/7e96171/hello/__pycache__/views.cpython-311.pyc': 'file 0644 root:root sha256:2',
    };
    expect(compareWithBrine(brine, twin, 'ansible')).toEqual(['~ /srv/hello/releases/7e96171/hello/__pycache__/views.cpython-311.pyc  file 0644 root:root sha256:1 => file 0644 root:root sha256:2']);
  });
});
