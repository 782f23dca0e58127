// Releases made on the controller from a real (temp) git repository: id, files, requirements,
// the refusal of uncommitted changes, --allow-dirty, --ref; and how a host's listing is read.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/provision/release-build.js';
import { parseReleases, releaseFor } from '../../src/provision/release-host.js';
import { spawnProcess } from '../../src/provision/runner.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function repo(): Promise<{ dir: string; git: (...a: string[]) => Promise<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'brine-release-test-'));
  dirs.push(dir);
  const git = async (...a: string[]) => (await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@x', ...a], { cwd: dir })).stdout.trim();
  mkdirSync(join(dir, 'app'));
  mkdirSync(join(dir, 'pillar'));
  writeFileSync(join(dir, 'app/main.py'), 'print(1)\n');
  writeFileSync(join(dir, 'app/requirements.txt'), 'Django\n');
  writeFileSync(join(dir, 'pillar/x.yaml'), 'a: 1\n');
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'one');
  return { dir, git };
}

const opts = { ref: 'HEAD', allowDirty: false };

describe('building a release', () => {
  it('archives app.source at HEAD, named by the short hash, with its files and requirements', async () => {
    const { dir, git } = await repo();
    const r = await buildRelease(dir, { source: 'app', requirements: 'requirements.txt' }, opts, 'ann@laptop', spawnProcess);
    try {
      expect(r.manifest).toMatchObject({ id: await git('rev-parse', '--short', 'HEAD'), dirty: false, by: 'ann@laptop', source: 'app', requirements: { path: 'requirements.txt', text: 'Django' } });
      expect(Object.keys(r.manifest.files).sort()).toEqual(['main.py', 'requirements.txt']);
      expect((await execa('tar', ['-tf', r.archive])).stdout.split('\n').sort()).toEqual(['main.py', 'requirements.txt']);
    } finally {
      r.cleanup();
    }
  });

  it('refuses uncommitted app changes (but not pillar edits); --allow-dirty takes them and says so in the id', async () => {
    const { dir, git } = await repo();
    writeFileSync(join(dir, 'pillar/x.yaml'), 'a: 2\n');
    (await buildRelease(dir, { source: 'app' }, opts, '', spawnProcess)).cleanup();
    writeFileSync(join(dir, 'app/main.py'), 'print(2)\n');
    await expect(buildRelease(dir, { source: 'app' }, opts, '', spawnProcess)).rejects.toThrow('uncommitted changes in app (app/main.py): commit them, or deploy them anyway with --allow-dirty');
    const r = await buildRelease(dir, { source: 'app' }, { ...opts, allowDirty: true }, '', spawnProcess);
    r.cleanup();
    expect(r.manifest.id).toMatch(new RegExp(`^${await git('rev-parse', '--short', 'HEAD')}-dirty-[0-9a-f]{7,10}$`));
    expect(r.manifest.dirty).toBe(true);
    expect(await git('status', '--porcelain')).toContain('app/main.py'); // the work tree is as it was
    // An older ref is a commit: the work tree does not matter.
    await git('commit', '-qam', 'two');
    const old = await buildRelease(dir, { source: 'app' }, { ref: 'HEAD~1', allowDirty: false }, '', spawnProcess);
    old.cleanup();
    expect(old.manifest.id).toBe(await git('rev-parse', '--short', 'HEAD~1'));
    await expect(buildRelease(dir, { source: 'app', requirements: 'nope.txt' }, opts, '', spawnProcess)).rejects.toThrow('app.requirements nope.txt is not in app at HEAD');
  });
});

describe("a host's releases", () => {
  const listing = [
    'current\tb2b2b2b',
    'previous\ta1a1a1a',
    'release\ta1a1a1a\t{"id":"a1a1a1a","unpacked":"2026-01-01"}',
    'release\tb2b2b2b\t{"id":"b2b2b2b","unpacked":"2026-01-02","commit":"b2b2b2b99"}',
    'log\t{"at":"2026-01-02T00:00:00Z","by":"ann@x","action":"deploy","id":"b2b2b2b","from":"a1a1a1a"}',
  ].join('\n');

  it('uploads a release only to a host without it, and never in --test', () => {
    const h = parseReleases(listing);
    const built = { manifest: { id: 'b2b2b2b' } as never, archive: '/tmp/x.tar', cleanup: () => undefined };
    expect(releaseFor(h, { built }, false, 'h').staged).toEqual({ id: 'b2b2b2b', uploaded: false, rollback: false });
    const fresh = { manifest: { id: 'c3c3c3c' } as never, archive: '/tmp/x.tar', cleanup: () => undefined };
    expect(releaseFor(h, { built: fresh }, false, 'h')).toMatchObject({ archive: '/tmp/x.tar', manifest: { archive: 'release.tar' }, staged: { uploaded: true } });
    expect(releaseFor(h, { built: fresh }, true, 'h')).toMatchObject({ archive: undefined, manifest: { archive: 'release.tar' }, staged: { uploaded: false } });
  });

  it('rolls back to previous, or --to a release the host has', () => {
    const h = parseReleases(listing);
    expect(releaseFor(h, { rollback: { by: 'ann@x' } }, false, 'h').manifest).toMatchObject({ id: 'a1a1a1a', rollback: true, by: 'ann@x' });
    expect(releaseFor(h, { rollback: { to: 'b2b2', by: '' } }, false, 'h').manifest).toMatchObject({ id: 'b2b2b2b', commit: 'b2b2b2b99' });
    expect(() => releaseFor(h, { rollback: { to: 'ffff', by: '' } }, false, 'h')).toThrow('h: release ffff is not on the host (it has a1a1a1a, b2b2b2b)');
    expect(() => releaseFor(parseReleases(''), { rollback: { by: '' } }, false, 'h')).toThrow('h: no previous release to roll back to');
  });
});
