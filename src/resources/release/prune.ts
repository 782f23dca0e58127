// Keeping `keep_releases` releases: the newest by unpack time, and always `current` and
// `previous`; virtualenvs no kept release uses go with them.
import type { Host, HostView } from '../../host/types.js';
import type { Change } from '../resource.js';
import { readMeta, releaseDir, releaseIds, type Layout } from './layout.js';

export async function planPrune(host: HostView, l: Layout, keep: number, incoming: { id: string; venv: string }, pinned: (string | undefined)[]): Promise<Change[]> {
  const ids = await releaseIds(host, l);
  const metas = new Map(await Promise.all(ids.map(async (id) => [id, await readMeta(host, l, id)] as const)));
  const newest = ids.filter((id) => id !== incoming.id).sort((a, b) => (metas.get(b)?.unpacked ?? '').localeCompare(metas.get(a)?.unpacked ?? ''));
  const kept = new Set([incoming.id, ...newest.slice(0, keep - 1), ...pinned.filter((x): x is string => Boolean(x))]);
  const gone = ids.filter((id) => !kept.has(id));
  const usedVenvs = new Set([incoming.venv, ...[...kept].map((id) => metas.get(id)?.venv)]);
  const venvs = ((await host.readdir(l.venvs)) ?? []).map((n) => `${l.venvs}/${n}`).filter((p) => !usedVenvs.has(p));
  const leftovers = ((await host.readdir(l.releases)) ?? []).filter((n) => n.startsWith('.unpack-') && n !== `.unpack-${incoming.id}`);
  if (!gone.length && !venvs.length && !leftovers.length) return [];
  const what = [gone.length ? `releases ${gone.join(', ')}` : '', venvs.length ? `virtualenvs ${venvs.map((v) => v.split('/').pop()).join(', ')}` : '', leftovers.length ? `unfinished unpacks ${leftovers.join(', ')}` : ''];
  return [
    {
      summary: `prune ${what.filter(Boolean).join('; ')} (keep_releases: ${keep})`,
      async apply(h: Host) {
        for (const id of gone) await h.remove(releaseDir(l, id));
        for (const v of venvs) await h.remove(v);
        for (const n of leftovers) await h.remove(`${l.releases}/${n}`);
      },
    },
  ];
}
