// apt on the host: freshness of the package lists, batched candidate lookup, and the argv of
// the few apt-get commands brine runs.
import { StateFailure } from '../../core/errors.js';
import { run } from '../../host/run.js';
import type { Batch, Change } from '../resource.js';
import { isInstalled, parseAptPolicy, readDpkgStatus, type DpkgEntry, type PolicyEntry } from './dpkg.js';
import type { FileWriter, Host, HostView } from '../../host/types.js';
import { predictInstall, predictRemove } from './predict.js';
import { declared } from '../declared.js';
import type { PkgSpec, PkgWant } from './spec.js';

export const APT_LISTS = '/var/lib/apt/lists';
export const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/** A package some state of the run declares, and which function (installed/latest/removed). */
export interface Declared extends PkgWant {
  fn: 'installed' | 'latest' | 'removed';
}

/** Whether planning this package needs apt's candidate version (absent, wrong version, or latest). */
export function needsCandidate(w: Declared, status: Map<string, DpkgEntry>): boolean {
  const e = status.get(w.name);
  if (w.fn === 'latest') return true;
  return w.fn === 'installed' && (!isInstalled(e) || (w.version !== undefined && e!.version !== w.version));
}

interface PolicyCache {
  asked: Set<string>;
  policy: Map<string, PolicyEntry>;
}

/**
 * Candidates for `names`. The first plan that needs one asks apt-cache once for every package
 * of the run that needs one, so a run spawns one apt-cache however many pkg states it has.
 */
export async function candidates(host: HostView, names: string[]): Promise<Map<string, PolicyEntry>> {
  const cache = await host.facts.get<PolicyCache>('apt-policy', async () => ({ asked: new Set(), policy: new Map() }));
  if (names.every((n) => cache.asked.has(n))) return cache.policy;
  const status = await readDpkgStatus(host);
  const others = declared<Declared>(host, 'pkg').filter((w) => needsCandidate(w, status)).map((w) => w.name);
  const ask = [...new Set([...names, ...others])].filter((n) => !cache.asked.has(n));
  const r = await host.query(['apt-cache', 'policy', ...ask]);
  if (r.exitCode !== 0) throw new StateFailure(`apt-cache policy failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  for (const [name, entry] of parseAptPolicy(r.stdout)) cache.policy.set(name, entry);
  for (const n of ask) cache.asked.add(n);
  return cache.policy;
}

/** Why the package lists should be refreshed before installing, or undefined when they are fine. */
export async function refreshReason(host: HostView, spec: PkgSpec, varDir: string): Promise<string | undefined> {
  if (spec.refresh === false) return undefined;
  if (spec.refresh === true) return 'refresh: true';
  const entries = (await host.readdir(APT_LISTS)) ?? [];
  if (!entries.some((e) => /_Packages(\.\w+)?$/.test(e))) return 'package lists are missing';
  // apt leaves the lists untouched when nothing changed upstream, so brine's own stamp counts too.
  const [lists, stamp] = await Promise.all([host.stat(APT_LISTS), host.stat(stampPath(varDir))]);
  const updated = Math.max(lists?.mtimeMs ?? 0, stamp?.mtimeMs ?? 0);
  const age = (Date.now() - updated) / 1000;
  return age > spec.cacheValidTime ? `package lists are ${describeAge(age)} old` : undefined;
}

const stampPath = (varDir: string) => `${varDir}/apt-lists-updated`;

function describeAge(seconds: number): string {
  if (seconds >= 2 * 86_400) return `${Math.floor(seconds / 86_400)} days`;
  if (seconds >= 2 * 3600) return `${Math.floor(seconds / 3600)} hours`;
  return `${Math.floor(seconds / 60)} minutes`;
}

/** The changes an apt batch can merge: installs (targets, recommends) and list refreshes. */
const INSTALLS = new WeakMap<Change, { targets: string[]; recommends: boolean }>();
const REFRESHES = new WeakSet<Change>();

export function refreshChange(reason: string, varDir: string): Change {
  const change: Change = {
    summary: `refresh package lists (${reason})`,
    detail: { refresh: reason },
    // refresh: true asks for a refresh every time: nothing on the host shows it was done.
    converges: reason !== 'refresh: true',
    async apply(h) {
      await aptUpdate(h, varDir);
    },
    predict: (o) => writeStamp(o, varDir),
  };
  REFRESHES.add(change);
  return change;
}

export async function aptUpdate(h: Host, varDir: string): Promise<void> {
  await run(h, ['apt-get', 'update'], { env: APT_ENV });
  await writeStamp(h, varDir);
}

async function writeStamp(h: FileWriter, varDir: string): Promise<void> {
  await h.mkdir(varDir, { parents: true });
  await h.writeFile(stampPath(varDir), new Date().toISOString() + '\n', { mode: 0o644 });
}

export function installArgv(targets: string[], recommends: boolean): string[] {
  return [
    'apt-get', 'install', '-y',
    recommends ? '--install-recommends' : '--no-install-recommends',
    '-o', 'Dpkg::Options::=--force-confdef',
    '-o', 'Dpkg::Options::=--force-confold',
    // Wait for a running unattended-upgrades instead of failing on dpkg's lock at once.
    '-o', 'DPkg::Lock::Timeout=120',
    // A pinned version may be older than what is installed.
    ...(targets.some((t) => t.includes('=')) ? ['--allow-downgrades'] : []),
    ...targets,
  ];
}

export const removeArgv = (names: string[], purge = false): string[] => ['apt-get', purge ? 'purge' : 'remove', '-y', '-o', 'DPkg::Lock::Timeout=120', ...names];

/** "nginx-light 1.22.1-9, curl 7.88 → 7.89" */
export function describe(detail: Record<string, { old: string | null; new: string }>): string {
  return Object.entries(detail)
    .map(([name, v]) => (v.old ? `${name} ${v.old} → ${v.new}` : `${name} ${v.new}`))
    .join(', ');
}

/** Installing `targets` (`name` or `name=version`): one apt-get, or a part of a batch's. */
export function installChange(summary: string, targets: string[], spec: PkgSpec, detail: Record<string, unknown>): Change {
  const change = aptChange(summary, installArgv(targets, spec.installRecommends), detail);
  INSTALLS.set(change, { targets, recommends: spec.installRecommends });
  return change;
}

/**
 * Every package the run's pkg.installed and pkg.latest states install, in one apt-get (one per
 * recommends setting) after at most one refresh of the lists: apt resolves once, downloads
 * once, and dpkg runs each trigger (man-db, systemd) once instead of once per state.
 */
export const aptBatch: Batch<PkgSpec> = {
  group: 'apt',
  accepts: (changes) => changes.every((c) => INSTALLS.has(c) || REFRESHES.has(c)),
  async apply(items, h) {
    const changes = items.flatMap((i) => i.changes);
    const refresh = changes.find((c) => REFRESHES.has(c));
    if (refresh) await refresh.apply(h);
    for (const [recommends, names] of batchTargets(changes)) {
      await run(h, installArgv([...names], recommends), { env: APT_ENV });
    }
  },
  async predict(items, o) {
    for (const [recommends, names] of batchTargets(items.flatMap((i) => i.changes))) {
      await predictInstall(o, installArgv([...names], recommends), [...names].map((t) => t.split('=')[0]));
    }
  },
};

/** The install targets of a batch's changes, per recommends setting. */
function batchTargets(changes: Change[]): Map<boolean, Set<string>> {
  const targets = new Map<boolean, Set<string>>();
  for (const c of changes) {
    const install = INSTALLS.get(c);
    if (!install) continue;
    if (!targets.has(install.recommends)) targets.set(install.recommends, new Set());
    for (const t of install.targets) targets.get(install.recommends)!.add(t);
  }
  return targets;
}

export function aptChange(summary: string, argv: string[], detail: Record<string, unknown>): Change {
  const names = Object.keys(detail);
  return {
    summary,
    detail: { packages: detail },
    predict: (o) => (argv[1] === 'remove' ? predictRemove(o, names) : predictInstall(o, argv, names)),
    async apply(h: Host) {
      await run(h, argv, { env: APT_ENV });
    },
  };
}
