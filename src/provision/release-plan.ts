// Which hosts get an app release, and building it: once per distinct app source and
// requirements, for every host whose pillar names `app.source`.
import { InventoryError } from '../core/errors.js';
import type { HostPillar } from './pillar-select.js';
import type { AppRelease } from './provision-host.js';
import { appSource, buildRelease, type BuiltRelease, type ReleaseOptions } from './release-build.js';
import type { Spawn } from './runner.js';

export async function appRelease(
  dir: string,
  pillars: HostPillar[],
  o: { release?: ReleaseOptions; rollback?: { to?: string } },
  by: string,
  spawn: Spawn,
): Promise<{ hosts: (AppRelease | undefined)[]; cleanup(): void }> {
  const built = new Map<string, BuiltRelease>();
  const hosts: (AppRelease | undefined)[] = [];
  try {
    for (const p of pillars) {
      const app = appSource(p.data);
      if (!app) {
        hosts.push(undefined);
        continue;
      }
      const project = p.data.project_name;
      if (typeof project !== 'string' || !/^[a-z_][a-z0-9_-]*$/.test(project)) throw new InventoryError('pillar project_name is missing or not an account name: releases live in /srv/<project_name>');
      const root = `/srv/${project}`;
      if (o.rollback) {
        hosts.push({ root, rollback: o.rollback });
        continue;
      }
      const key = JSON.stringify(app);
      if (!built.has(key)) built.set(key, await buildRelease(dir, app, o.release ?? { ref: 'HEAD', allowDirty: false }, by, spawn));
      hosts.push({ root, built: built.get(key) });
    }
  } catch (err) {
    built.forEach((b) => b.cleanup());
    throw err;
  }
  return { hosts, cleanup: () => built.forEach((b) => b.cleanup()) };
}
