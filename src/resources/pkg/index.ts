// The `pkg` kind on apt: installed, latest, removed. A state's packages install with one
// apt-get, and the installs of a run's states together in one (aptBatch), as requisites allow.
import { MissingError } from '../../core/errors.js';
import type { Change, PlanContext, ResourceFunction, ResourceKind } from '../resource.js';
import { isInstalled, isPresent, policyFor, readDpkgStatus } from './dpkg.js';
import type { HostView } from '../../host/types.js';
import { declare } from '../declared.js';
import { aptBatch, aptChange, candidates, describe, installChange, refreshChange, refreshReason, removeArgv, type Declared } from './apt.js';
import { latestChanges } from './latest.js';
import { parsePkgSpec, type PkgSpec } from './spec.js';

/** Record the run's packages; the first plan then reads dpkg's status once for all of them. */
const prefetchAs = (fn: Declared['fn']) => async (specs: PkgSpec[], host: HostView) => {
  declare<Declared>(host, 'pkg', specs.flatMap((s) => s.packages.map((p) => ({ ...p, fn }))));
  await readDpkgStatus(host);
};

export const installed: ResourceFunction<PkgSpec> = {
  parse: (a) => parsePkgSpec(a, { versions: true }),
  prefetch: prefetchAs('installed'),
  batch: aptBatch,

  async plan(spec, { host, varDir }: PlanContext) {
    const status = await readDpkgStatus(host);
    const todo = spec.packages.filter((p) => {
      const e = status.get(p.name);
      return !isInstalled(e) || (p.version !== undefined && e!.version !== p.version);
    });
    if (!todo.length) return { changes: [], comment: `installed: ${spec.packages.map((p) => `${p.name} ${status.get(p.name)!.version}`).join(', ')}` };
    const reason = await refreshReason(host, spec, varDir);
    const policy = await candidates(host, todo.map((p) => p.name));
    const unavailable: string[] = [];
    const detail: Record<string, { old: string | null; new: string }> = {};
    for (const p of todo) {
      const c = policyFor(policy, p.name);
      const e = status.get(p.name);
      const want = p.version ?? c?.candidate;
      // Stale or missing lists may not know a package yet: only current lists can say it is unknown.
      if (!reason && (p.version ? !c?.versions.includes(p.version) : !want)) {
        unavailable.push(p.version ? `${p.name} ${p.version} (available: ${c?.versions.join(', ') || 'none'})` : p.name);
      }
      detail[p.name] = { old: isInstalled(e) ? e!.version : null, new: want ?? '(known after the refresh)' };
    }
    if (unavailable.length) throw new MissingError(`not available from apt: ${unavailable.join('; ')}`);
    const targets = todo.map((p) => (p.version ? `${p.name}=${p.version}` : p.name));
    const changes: Change[] = reason ? [refreshChange(reason, varDir)] : [];
    changes.push(installChange(`install ${describe(detail)}`, targets, spec, detail));
    return { changes };
  },
};

export const latest: ResourceFunction<PkgSpec> = {
  parse: (a) => parsePkgSpec(a, { versions: false }),
  prefetch: prefetchAs('latest'),
  batch: aptBatch,
  plan: latestChanges,
};

export const removed: ResourceFunction<PkgSpec> = {
  parse: (a) => parsePkgSpec(a, { versions: false }),
  prefetch: prefetchAs('removed'),

  async plan(spec, { host }) {
    const status = await readDpkgStatus(host);
    const present = spec.packages.filter((p) => isPresent(status.get(p.name)));
    if (!present.length) return { changes: [], comment: 'not installed' };
    const detail = Object.fromEntries(present.map((p) => [p.name, { old: status.get(p.name)!.version, new: null }]));
    return { changes: [aptChange(`remove ${present.map((p) => `${p.name} ${detail[p.name].old}`).join(', ')}`, removeArgv(present.map((p) => p.name)), detail)] };
  },
};

/** Salt's pkg.purged: removed with its configuration files (also a package only they are left of). */
export const purged: ResourceFunction<PkgSpec> = {
  parse: (a) => parsePkgSpec(a, { versions: false }),
  prefetch: prefetchAs('removed'),

  async plan(spec, { host }) {
    const status = await readDpkgStatus(host);
    const left = spec.packages.filter((p) => status.has(p.name) && !/ not-installed$/.test(status.get(p.name)!.status));
    if (!left.length) return { changes: [], comment: 'not installed, no configuration files left' };
    const what = (name: string) => (isPresent(status.get(name)) ? `${name} ${status.get(name)!.version}` : `${name} (configuration files)`);
    const detail = Object.fromEntries(left.map((p) => [p.name, { old: status.get(p.name)!.version || 'config-files', new: null }]));
    return { changes: [aptChange(`purge ${left.map((p) => what(p.name)).join(', ')}`, removeArgv(left.map((p) => p.name), true), detail)] };
  },
};

export const pkg: ResourceKind = { installed, latest, removed, purged };
