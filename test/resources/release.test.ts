// release.deployed's plan against a fake host: what a new release, an unchanged one, a rollback
// and pruning would do, read without writing anything.
import { describe, expect, it } from 'vitest';
import { deployed } from '../../src/resources/release/index.js';
import { filesChanged } from '../../src/resources/release/manifest.js';
import type { ReleaseSpec } from '../../src/resources/release/spec.js';
import { FakeHost } from '../support/fake-host.js';
import { compileStates, problemsOf } from '../support/project.js';
import type { StateDecl } from '../../src/core/state.js';

const SPEC: ReleaseSpec = {
  root: '/srv/shop',
  manifest: '/run/up/release/release.json',
  user: 'shop',
  service: 'shop',
  envFile: '/etc/shop/env',
  env: {},
  hooks: [['manage.py', 'migrate', '--noinput']],
  venv: { systemSitePackages: true, findLinks: [], extraArgs: [] },
  health: { path: '/healthz', socket: '/run/shop/gunicorn.sock', timeout: 30 },
  keep: 2,
  timeout: 600,
};

const manifest = (id: string, files: Record<string, string>, extra: object = {}) =>
  JSON.stringify({ id, commit: `${id}0000`, ref: 'HEAD', dirty: false, at: '', by: 'ann@laptop', source: '.', files, requirements: { path: 'requirements.txt', text: 'Django\n' }, archive: 'release.tar', ...extra });

const decl = { id: 'shop-release', kind: 'release', fn: 'deployed' } as StateDecl;
/** Plans, and proves the plan wrote nothing. */
async function plan(host: FakeHost, spec = SPEC) {
  const seeded = host.writes().length;
  const p = await deployed.plan(spec, { host, decl, varDir: '/var/lib/brine' });
  expect(host.writes().slice(seeded)).toEqual([]);
  return p;
}

function hostWith(current: string, releases: Record<string, { files: Record<string, string>; unpacked: string; venv: string }>): FakeHost {
  const h = new FakeHost();
  for (const [id, r] of Object.entries(releases)) {
    h.file(`/srv/shop/releases/${id}/.brine-release.json`, JSON.stringify({ id, files: r.files, unpacked: r.unpacked, venv: r.venv }));
    h.dir(r.venv);
  }
  h.symlink(`releases/${current}`, '/srv/shop/current');
  return h;
}

describe('release.deployed', () => {
  it('plans unpack, hooks and the switch of a new release, reusing the virtualenv of unchanged requirements', async () => {
    const host = new FakeHost().file(SPEC.manifest, manifest('b2b2b2b', { 'a.py': '1', 'b.py': '2', 'c.py': '3' }));
    const first = await plan(host);
    const venv = first.changes[1].summary.match(/\/srv\/shop\/venvs\/\w+/)![0];
    expect(first.changes.map((c) => c.summary)).toEqual([
      'unpack release b2b2b2b (HEAD b2b2b2b0000; 3 files)',
      `build virtualenv ${venv} (requirements new: requirements.txt)`,
      'run hook: manage.py migrate --noinput',
      'switch current (none) → b2b2b2b, reload (or start) shop, health check /healthz',
    ]);

    const h2 = hostWith('a1a1a1a', { a1a1a1a: { files: { 'a.py': '1', 'b.py': 'x', 'old.py': '9' }, unpacked: '2026-01-01', venv } })
      .file(SPEC.manifest, manifest('b2b2b2b', { 'a.py': '1', 'b.py': '2', 'c.py': '3' }));
    h2.file(`${venv}/.brine-complete`, '');
    const second = await plan(h2);
    expect(second.changes.map((c) => c.summary)).toEqual([
      'unpack release b2b2b2b (HEAD b2b2b2b0000; against a1a1a1a: 1 changed, 1 added, 1 removed)',
      'run hook: manage.py migrate --noinput',
      'switch current a1a1a1a → b2b2b2b, reload (or start) shop, health check /healthz',
    ]);
    expect(second.comment).toBe(`virtualenv ${venv} reused`);
  });

  it('changes nothing when the release is current, and prunes beyond keep_releases but never current or previous', async () => {
    const venv = '/srv/shop/venvs/v1';
    const h = hostWith('c3c3c3c', {
      a1a1a1a: { files: {}, unpacked: '2026-01-01', venv },
      b2b2b2b: { files: {}, unpacked: '2026-01-02', venv: '/srv/shop/venvs/v0' },
      c3c3c3c: { files: {}, unpacked: '2026-01-03', venv },
      d4d4d4d: { files: {}, unpacked: '2026-01-04', venv },
    }).file(SPEC.manifest, manifest('c3c3c3c', {}, { archive: undefined }));
    h.symlink('releases/a1a1a1a', '/srv/shop/previous');
    const r = await plan(h, { ...SPEC, health: undefined });
    expect(r.changes.map((c) => c.summary).filter((s) => s.startsWith('prune'))).toEqual([
      expect.stringMatching(/^prune releases b2b2b2b; virtualenvs v0(, \w+)? \(keep_releases: 2\)$/),
    ]);
    expect(r.comment).toBe('c3c3c3c is the current release');
  });

  it('rolls back to a release the host has, without unpacking or hooks; refuses one it lacks', async () => {
    const h = hostWith('b2b2b2b', {
      a1a1a1a: { files: {}, unpacked: '2026-01-01', venv: '/srv/shop/venvs/v1' },
      b2b2b2b: { files: {}, unpacked: '2026-01-02', venv: '/srv/shop/venvs/v1' },
    }).file(SPEC.manifest, manifest('a1a1a1a', {}, { rollback: true, archive: undefined }));
    expect((await plan(h)).changes.map((c) => c.summary)).toEqual(['switch current b2b2b2b → a1a1a1a (rollback), reload (or start) shop, health check /healthz']);
    h.file(SPEC.manifest, manifest('e5e5e5e', {}, { rollback: true }));
    await expect(plan(h)).rejects.toThrow('release e5e5e5e is not on the host');
  });

  it('a failing pip or hook stops the deploy before the switch: current keeps pointing at the running release', async () => {
    for (const failing of [['/bin/sh', '-c', 'umask 022 && exec "$@"', 'brine', '/srv/shop/venvs'], ['/bin/sh', '-c']]) {
      const h: FakeHost = hostWith('a1a1a1a', { a1a1a1a: { files: {}, unpacked: '2026-01-01', venv: '/srv/shop/venvs/v0' } });
      h.file(SPEC.manifest, manifest('b2b2b2b', { 'a.py': '1' }))
        .on([], { exitCode: 0 })
        .on((argv) => (argv[5] === '-m' && argv[6] === 'venv' ? (h.dir(argv[argv.length - 1]), { exitCode: 0 }) : undefined))
        .on((argv) => (failing.every((w, i) => argv[i]?.startsWith(w)) && (failing.length > 2 ? argv.includes('pip') : argv[3] === 'brine-hook') ? { exitCode: 1, stderr: 'ERROR: No matching distribution found for Django' } : undefined));
      const p = await plan(h);
      const run = async () => {
        for (const c of p.changes) await c.apply(h);
      };
      await expect(run()).rejects.toThrow(failing.length > 2 ? 'ERROR: No matching distribution found for Django' : 'command failed (exit 1): manage.py migrate --noinput');
      expect((await h.stat('/srv/shop/current'))?.target).toBe('releases/a1a1a1a');
      expect(h.commands().some((a) => a[0] === 'systemctl')).toBe(false);
    }
  });

  it("gives pip the pillar's options: a relative find_links is the release's wheelhouse, the index URL goes through pip's environment", async () => {
    const h = new FakeHost().file(SPEC.manifest, manifest('b2b2b2b', { 'requirements.txt': '1' })).on([], { exitCode: 0 });
    h.on((argv) => (argv[5] === '-m' && argv[6] === 'venv' ? (h.dir(argv[argv.length - 1]), { exitCode: 0 }) : undefined));
    const venv = { systemSitePackages: false, indexUrl: 'https://u:tok3n@pypi.internal/simple', findLinks: ['wheels', '/opt/wheels'], extraArgs: ['--no-index'] };
    const p = await plan(h, { ...SPEC, venv });
    await p.changes[0].apply(h);
    await p.changes[1].apply(h);
    const pip = h.calls.find((c) => c.op === 'exec' && (c.args[0] as string[]).includes('pip'))!;
    expect((pip.args[0] as string[]).slice(4)).toEqual([expect.stringMatching(/^\/srv\/shop\/venvs\/\w+\/bin\/python$/), '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--no-index', '-r', '/srv/shop/releases/b2b2b2b/requirements.txt']);
    expect(pip.args[1]).toMatchObject({ env: { PIP_INDEX_URL: venv.indexUrl, PIP_FIND_LINKS: '/srv/shop/releases/b2b2b2b/wheels /opt/wheels' } });
    expect(JSON.stringify(h.commands())).not.toContain('tok3n');
  });

  it('summarises the files changed between two releases', () => {
    expect(filesChanged({ a: '1', b: '2' }, { a: '1', b: '3', c: '4' })).toBe('1 changed, 1 added, 0 removed');
    expect(filesChanged(undefined, { a: '1' })).toBe('1 files');
  });

  it('refuses bad arguments with file, line and field', () => {
    const ps = problemsOf(() => compileStates('app:\n  release.deployed:\n    - name: srv\n    - release: /r.json\n    - user: a\n    - service: a\n    - healthcheck: healthz\n    - keep_releases: 0\n'));
    expect(ps.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'name: must be an absolute path (the app root, e.g. /srv/hello)',
      'keep_releases: must be at least 1',
      'healthcheck: must be a path starting with /, e.g. /healthz',
      'healthcheck: needs exactly one of healthcheck_socket or healthcheck_port (where gunicorn listens)',
    ]);
  });
});
