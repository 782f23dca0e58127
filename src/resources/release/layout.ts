// Where a deployed app keeps its releases on the host, and reading them back: the releases,
// which one `current` and `previous` point at, and what each release's metadata says.
import type { HostView } from '../../host/types.js';
import { RELEASE_ID, type ReleaseManifest } from './manifest.js';

export const META = '.brine-release.json';

export interface Layout {
  root: string;
  releases: string;
  venvs: string;
  current: string;
  previous: string;
  log: string;
}

export function layout(root: string): Layout {
  return {
    root,
    releases: `${root}/releases`,
    venvs: `${root}/venvs`,
    current: `${root}/current`,
    previous: `${root}/previous`,
    log: `${root}/deploys.jsonl`,
  };
}

export const releaseDir = (l: Layout, id: string) => `${l.releases}/${id}`;
/** Links hold relative targets (`releases/<id>`), so the tree can be moved or inspected anywhere. */
export const linkTarget = (id: string) => `releases/${id}`;

/** The release a link (current, previous) points at, or undefined. */
export async function linked(host: HostView, link: string): Promise<string | undefined> {
  const st = await host.stat(link);
  if (st?.type !== 'symlink' || !st.target) return undefined;
  const id = st.target.replace(/\/+$/, '').split('/').pop() ?? '';
  return RELEASE_ID.test(id) ? id : undefined;
}

export async function releaseIds(host: HostView, l: Layout): Promise<string[]> {
  return ((await host.readdir(l.releases)) ?? []).filter((n) => RELEASE_ID.test(n));
}

export interface KeptRelease extends Partial<ReleaseManifest> {
  /** When this release was unpacked on the host (ms), for keeping the newest. */
  unpacked?: string;
  /** The virtualenv the release runs with. */
  venv?: string;
}

export async function readMeta(host: HostView, l: Layout, id: string): Promise<KeptRelease | undefined> {
  const text = await host.readFile(`${releaseDir(l, id)}/${META}`);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as KeptRelease;
  } catch {
    return undefined;
  }
}
