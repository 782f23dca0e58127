// The benchmark still runs (the benchmark itself is `npm run bench`, never part of npm test):
// its flavour builds, the staged playbook and Puppet module pass their tools' own checks on a
// bench host, and measure.py reports a command as one JSON line.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bench } from '../../bench/flavour.js';
import { measure, prepare } from '../../bench/remote.js';
import { stage } from '../../bench/stage.js';
import { REMOTE } from '../../bench/tools.js';
import { ensureRootfs, startHosts, type HostRun, type TestHost } from '../harness/index.js';
import { describeHosts } from '../harness/vitest.js';

describeHosts('benchmark smoke check', () => {
  let run: HostRun | undefined;
  let host: TestHost;
  let staged: string | undefined;

  // The bench flavour (ansible, puppet: ~1 GB) is built on first use: longer than a boot.
  beforeAll(async () => {
    await ensureRootfs(bench, (m) => process.stderr.write(`[bench] ${m}\n`));
    run = await startHosts(1, { flavour: bench });
    host = run.hosts[0];
    staged = await stage(process.cwd());
    await prepare(host, staged);
  }, 900_000);
  afterAll(async () => {
    await run?.teardown();
    if (staged) rmSync(staged, { recursive: true, force: true });
  }, 120_000);

  it('the playbook passes ansible-playbook --syntax-check', async () => {
    const r = await host.ssh(['ansible-playbook', '--syntax-check', '-c', 'local', '-i', 'localhost,', `${REMOTE}/ansible/stack.yml`]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  });

  it('the Puppet manifests and templates pass puppet parser validate and puppet epp validate', async () => {
    const manifests = await host.ssh(['sh', '-c', `puppet parser validate ${REMOTE}/puppet/site.pp ${REMOTE}/puppet/modules/stack/manifests/*.pp`]);
    expect(manifests.exitCode, manifests.stderr + manifests.stdout).toBe(0);
    const templates = await host.ssh(['sh', '-c', `puppet epp validate ${REMOTE}/puppet/modules/stack/templates/*.epp`]);
    expect(templates.exitCode, templates.stderr + templates.stdout).toBe(0);
  });

  it('measure.py times a command inside the host and reports its peak memory and output', async () => {
    const s = await measure(host, 'smoke', ['sh', '-c', 'echo out; echo err >&2; exit 3'], { sample: true });
    expect(s).toMatchObject({ label: 'smoke', exit: 3, stdout_tail: 'out\n', stderr_tail: 'err\n' });
    expect(s.wall_s).toBeGreaterThan(0);
    expect(s.maxrss_kib).toBeGreaterThan(0);
    expect(s.tree_pss_peak_kib).not.toBeNull();
  });
});
