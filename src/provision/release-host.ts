// A host's releases as the controller sees them (releases.sh's lines), and the release a run
// takes there: the one just built — its archive only when the host lacks it — or, for a
// rollback, one the host already has.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseManifest } from '../resources/release/manifest.js';
import type { BuiltRelease } from './release-build.js';
import { ReleaseError } from './release-build.js';

export interface HostRelease {
  id: string;
  meta: Partial<ReleaseManifest> & { unpacked?: string; venv?: string };
}

export interface Switch {
  at: string;
  by: string;
  action: string;
  id: string;
  from: string | null;
}

export interface HostReleases {
  current?: string;
  previous?: string;
  releases: HostRelease[];
  log: Switch[];
}

export function parseReleases(text: string): HostReleases {
  const out: HostReleases = { releases: [], log: [] };
  for (const line of text.split('\n')) {
    const [kind, a = '', b = ''] = line.split('\t');
    if (kind === 'current' && a) out.current = a;
    else if (kind === 'previous' && a) out.previous = a;
    else if (kind === 'release') out.releases.push({ id: a, meta: parseJson(b) ?? {} });
    else if (kind === 'log') {
      const entry = parseJson(a);
      if (entry) out.log.push(entry as unknown as Switch);
    }
  }
  out.releases.sort((x, y) => (x.meta.unpacked ?? '').localeCompare(y.meta.unpacked ?? ''));
  return out;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The release `brine rollback` goes to: `--to ID`, else `previous`. */
export function rollbackTarget(h: HostReleases, to: string | undefined, where: string): HostRelease {
  const id = to ?? h.previous;
  if (!id) throw new ReleaseError(`${where}: no previous release to roll back to (brine releases shows what is there)`);
  const r = h.releases.find((x) => x.id === id || (to !== undefined && x.id.startsWith(to)));
  if (!r) throw new ReleaseError(`${where}: release ${id} is not on the host (it has ${h.releases.map((x) => x.id).join(', ') || 'none'})`);
  return r;
}

export interface StagedRelease {
  id: string;
  /** The archive went with the upload (false: the host has this release already). */
  uploaded: boolean;
  rollback: boolean;
}

/** Writes release/release.json (and the archive when `withArchive`) into the upload staging dir. */
export function stageRelease(staging: string, manifest: ReleaseManifest, archive?: string): string {
  const dir = join(staging, 'release');
  mkdirSync(dir, { mode: 0o700 });
  if (archive) copyFileSync(archive, join(dir, 'release.tar'));
  writeFileSync(join(dir, 'release.json'), JSON.stringify(manifest) + '\n', { mode: 0o600 });
  return dir;
}

/** What this host's run takes: a new release (built) or a rollback to one it has. */
export function releaseFor(h: HostReleases, plan: { built?: BuiltRelease; rollback?: { to?: string; by: string } }, test: boolean, where: string): { manifest: ReleaseManifest; archive?: string; staged: StagedRelease } {
  if (plan.rollback) {
    const r = rollbackTarget(h, plan.rollback.to, where);
    const manifest: ReleaseManifest = {
      id: r.id,
      commit: r.meta.commit ?? '',
      ref: r.meta.ref ?? '',
      dirty: r.meta.dirty ?? false,
      at: new Date().toISOString(),
      by: plan.rollback.by,
      source: r.meta.source ?? '',
      files: {},
      rollback: true,
    };
    return { manifest, staged: { id: r.id, uploaded: false, rollback: true } };
  }
  const built = plan.built!;
  const has = h.releases.some((r) => r.id === built.manifest.id);
  // --test plans from the manifest alone: the archive is named, never sent.
  const manifest = { ...built.manifest, archive: has ? undefined : 'release.tar' };
  const send = !has && !test;
  return { manifest, archive: send ? built.archive : undefined, staged: { id: built.manifest.id, uploaded: send, rollback: false } };
}
