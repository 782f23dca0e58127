// pkg.latest: each package at apt's candidate version. With lists to refresh, the newest version
// is only known after the refresh, so one change refreshes, looks again and installs.
import { MissingError } from '../../core/errors.js';
import { run } from '../../host/run.js';
import type { Change, Plan, PlanContext } from '../resource.js';
import { isInstalled, policyFor, readDpkgStatus, type DpkgEntry, type PolicyEntry } from './dpkg.js';
import { APT_ENV, aptUpdate, candidates, describe, installArgv, installChange, refreshReason } from './apt.js';
import type { PkgSpec } from './spec.js';
import { predictInstall } from './predict.js';

interface Comparison {
  outdated: string[];
  unavailable: string[];
  detail: Record<string, { old: string | null; new: string }>;
}

function compare(names: string[], status: Map<string, DpkgEntry>, policy: Map<string, PolicyEntry>): Comparison {
  const out: Comparison = { outdated: [], unavailable: [], detail: {} };
  for (const name of names) {
    const candidate = policyFor(policy, name)?.candidate;
    const e = status.get(name);
    if (!candidate) out.unavailable.push(name);
    else if (!isInstalled(e) || e!.version !== candidate) {
      out.outdated.push(name);
      out.detail[name] = { old: isInstalled(e) ? e!.version : null, new: candidate };
    }
  }
  return out;
}

const unavailableError = (names: string[]) => new MissingError(`not available from apt (no installation candidate): ${names.join(', ')}`);

export async function latestChanges(spec: PkgSpec, { host, varDir }: PlanContext): Promise<Plan> {
  const names = spec.packages.map((p) => p.name);
  const [status, reason] = await Promise.all([readDpkgStatus(host), refreshReason(host, spec, varDir)]);
  const now = compare(names, status, await candidates(host, names));
  if (!reason) {
    if (now.unavailable.length) throw unavailableError(now.unavailable);
    if (!now.outdated.length) return { changes: [], comment: `latest: ${names.map((n) => `${n} ${status.get(n)!.version}`).join(', ')}` };
    return { changes: [installChange(`install ${describe(now.detail)}`, now.outdated, spec, now.detail)] };
  }
  const change: Change = {
    summary: `refresh package lists (${reason}), then install the latest` + (now.outdated.length ? ` (per the current lists: ${describe(now.detail)})` : ''),
    detail: { refresh: reason, packages: now.detail },
    // refresh: true asks for a refresh on every run; nothing on the host shows it was done.
    converges: reason !== 'refresh: true',
    async apply(h) {
      await aptUpdate(h, varDir);
      h.invalidate();
      const after = compare(names, await readDpkgStatus(h), await candidates(h, names));
      if (after.unavailable.length) throw unavailableError(after.unavailable);
      change.detail = { refresh: reason, packages: after.detail };
      if (!after.outdated.length) return;
      await run(h, installArgv(after.outdated, spec.installRecommends), { env: APT_ENV });
    },
    predict: (o) => predictInstall(o, installArgv(names, spec.installRecommends), names),
  };
  return { changes: [change] };
}
