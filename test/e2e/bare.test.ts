// The bare flavour is a fresh server: no node, no rsync, but apt installs them offline from
// the pre-downloaded cache (test hosts have no internet).
import { expect, it } from 'vitest';
import { describeHosts, useHosts } from '../harness/vitest.js';

describeHosts('bare flavour', () => {
  const env = useHosts(1, { flavour: 'bare' });

  it('has no nodejs or rsync, and installs both offline with apt-get', async () => {
    const [h] = env.hosts;
    for (const tool of ['node', 'rsync']) expect((await h.ssh(['test', '-e', `/usr/bin/${tool}`])).exitCode).toBe(1);
    const t0 = Date.now();
    const install = await h.ssh(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'nodejs', 'rsync']);
    expect(install.exitCode, install.stderr + install.stdout).toBe(0);
    console.log(`offline apt-get install nodejs rsync: ${Date.now() - t0} ms`);
    expect(await h.sshOk(['node', '--version'])).toMatch(/^v18\./);
    expect((await h.sshOk(['rsync', '--version'])).split('\n')[0]).toMatch(/^rsync +version/);
  });
});
