// The release uploaded with this run, if any: `release/release.json` in the project directory
// (brine provision puts it there). Templates see it as `release` (`null` without one), so the
// app's state deploys it: `{{#if release}}… release: {{yaml release.manifest}}{{/if}}`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../core/errors.js';

export interface ReleaseContext {
  id: string;
  /** Absolute path of release.json, for release.deployed's `release` argument. */
  manifest: string;
  rollback: boolean;
}

export function loadRelease(dir: string, problems: Problem[]): ReleaseContext | null {
  const manifest = join(dir, 'release', 'release.json');
  if (!existsSync(manifest)) return null;
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { id?: unknown; rollback?: unknown };
    if (typeof m.id !== 'string') throw new Error('no id');
    return { id: m.id, manifest, rollback: m.rollback === true };
  } catch (err) {
    problems.push({ file: 'release/release.json', message: `not a release manifest: ${(err as Error).message}` });
    return null;
  }
}
