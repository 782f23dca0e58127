// What a release is, as the controller describes it in release.json beside the uploaded archive
// (and as the host keeps it in each release's .brine-release.json).
import { StateFailure } from '../../core/errors.js';

export interface ReleaseManifest {
  /** The commit's short hash; `<hash>-dirty-<tree>` for a build with uncommitted changes. */
  id: string;
  commit: string;
  ref: string;
  dirty: boolean;
  /** When and by whom (`user@controller`) the release was made, or the rollback asked for. */
  at: string;
  by: string;
  /** The app's directory in the repository (`.` for its root). */
  source: string;
  /** Path → git blob hash of every file: what `--test` compares with the current release. */
  files: Record<string, string>;
  /** The requirements file (path in the release) and its text, when the app has one. */
  requirements?: { path: string; text: string };
  /** The archive's file name beside release.json, when it was uploaded (absent: the host has it). */
  archive?: string;
  /** Switch back to a release the host already has: no unpack, no hooks. */
  rollback?: boolean;
}

/** Release ids name directories: short hashes, `-dirty-`, nothing a path could abuse. */
export const RELEASE_ID = /^[0-9a-f]{4,40}(-dirty-[0-9a-f]{4,40})?$/;

export function parseManifest(text: string, where: string): ReleaseManifest {
  let m: ReleaseManifest;
  try {
    m = JSON.parse(text) as ReleaseManifest;
  } catch (err) {
    throw new StateFailure(`${where}: not a release manifest (${(err as Error).message})`);
  }
  if (!m || typeof m !== 'object' || typeof m.id !== 'string' || !RELEASE_ID.test(m.id)) {
    throw new StateFailure(`${where}: not a release manifest (bad or missing id)`);
  }
  if (m.archive !== undefined && (typeof m.archive !== 'string' || m.archive.includes('/'))) {
    throw new StateFailure(`${where}: bad archive name`);
  }
  m.files ??= {};
  return m;
}

/** "3 changed, 1 added, 0 removed" between two releases' file lists. */
export function filesChanged(from: Record<string, string> | undefined, to: Record<string, string>): string {
  if (!from) return `${Object.keys(to).length} files`;
  let changed = 0;
  let added = 0;
  let removed = 0;
  for (const [path, blob] of Object.entries(to)) {
    if (!(path in from)) added++;
    else if (from[path] !== blob) changed++;
  }
  for (const path of Object.keys(from)) if (!(path in to)) removed++;
  return `${changed} changed, ${added} added, ${removed} removed`;
}
