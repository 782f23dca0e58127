// Making a release on the controller: `git archive` of a ref of the app's directory
// (`app.source` in the pillar), named by the commit's short hash. Uncommitted changes are
// refused unless allowed; then the release holds them (`git stash create`, which touches
// neither the work tree nor the index) and its id says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { BrineError } from '../core/errors.js';
import type { ReleaseManifest } from '../resources/release/manifest.js';
import type { Spawn } from './runner.js';

export interface ReleaseOptions {
  /** `--ref` (default HEAD) and `--allow-dirty`. */
  ref: string;
  allowDirty: boolean;
}

export interface AppSource {
  /** `app.source`: the app's directory, relative to the project (`.` for the project itself). */
  source: string;
  /** `app.requirements`: its requirements file, relative to the app's directory. */
  requirements?: string;
}

export interface BuiltRelease {
  manifest: ReleaseManifest;
  /** The tar, in a temp dir removed by `cleanup`. */
  archive: string;
  cleanup(): void;
}

export class ReleaseError extends BrineError {
  constructor(message: string) {
    super(message);
  }
}

/** Reads `app.source` and `app.requirements` from a host's pillar; undefined: the host deploys no release. */
export function appSource(pillar: Record<string, unknown>): AppSource | undefined {
  const app = pillar.app as Record<string, unknown> | undefined;
  if (!app || typeof app !== 'object' || app.source === undefined || app.source === null) return undefined;
  if (typeof app.source !== 'string') throw new ReleaseError('pillar app.source must be a path (relative to the project; `.` for its root)');
  if (app.requirements !== undefined && typeof app.requirements !== 'string') throw new ReleaseError('pillar app.requirements must be a path (relative to app.source)');
  return { source: app.source, requirements: app.requirements as string | undefined };
}

export async function buildRelease(dir: string, app: AppSource, o: ReleaseOptions, by: string, spawn: Spawn): Promise<BuiltRelease> {
  const git = async (args: string[], what: string) => {
    const r = await spawn(['git', '-C', dir, ...args]);
    if (r.exitCode !== 0) throw new ReleaseError(`${what}: git ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n')}`);
    return r.stdout.trimEnd();
  };
  const top = await git(['rev-parse', '--show-toplevel'], `${dir} is not in a git repository (app.source: releases are made with git archive)`);
  const prefix = relative(top, resolve(dir, app.source)).split('\\').join('/');
  if (prefix.startsWith('..')) throw new ReleaseError(`app.source ${app.source} is outside the repository ${top}`);
  let commit = await git(['rev-parse', '--verify', '--end-of-options', `${o.ref}^{commit}`], `--ref ${o.ref} names no commit`);
  let id = await git(['rev-parse', '--short', commit], 'short hash');
  let dirty = false;
  if (o.ref === 'HEAD') {
    // states/ and pillar/ are the stack's configuration, not the app: editing them needs no commit.
    const status = await git(['-C', top, 'status', '--porcelain', '--', prefix || '.', ':(exclude,top)states', ':(exclude,top)pillar'], 'git status');
    if (status) {
      if (!o.allowDirty) {
        const files = status.split('\n').slice(0, 5).map((l) => l.slice(3));
        throw new ReleaseError(`uncommitted changes in ${prefix || 'the repository'} (${files.join(', ')}${status.split('\n').length > 5 ? ', …' : ''}): commit them, or deploy them anyway with --allow-dirty`);
      }
      // Tracked changes only, as a commit object nobody references; untracked files stay out.
      const stash = await git(['-c', 'user.name=brine', '-c', 'user.email=brine@localhost', 'stash', 'create'], 'git stash create');
      if (stash) {
        dirty = true;
        commit = stash;
        id = `${id}-dirty-${(await git(['rev-parse', '--short', `${stash}^{tree}`], 'tree hash')).slice(0, 10)}`;
      }
    }
  }
  const tree = prefix ? `${commit}:${prefix}` : `${commit}^{tree}`;
  const listing = await git(['ls-tree', '-r', '-z', '--full-tree', tree], `app.source ${app.source} is not a directory in ${o.ref}`);
  const files: Record<string, string> = {};
  for (const entry of listing.split('\0').filter(Boolean)) {
    const [meta, path] = [entry.slice(0, entry.indexOf('\t')), entry.slice(entry.indexOf('\t') + 1)];
    files[path] = meta.split(' ')[2];
  }
  let requirements: ReleaseManifest['requirements'];
  if (app.requirements) {
    if (!(app.requirements in files)) throw new ReleaseError(`app.requirements ${app.requirements} is not in ${app.source} at ${o.ref}`);
    requirements = { path: app.requirements, text: await git(['cat-file', 'blob', files[app.requirements]], 'requirements') };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'brine-release-'));
  const archive = join(tmp, 'release.tar');
  try {
    await git(['archive', '--format=tar', '-o', archive, tree], 'git archive');
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const manifest: ReleaseManifest = { id, commit, ref: o.ref, dirty, at: new Date().toISOString(), by, source: app.source, files, requirements };
  return { manifest, archive, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}
