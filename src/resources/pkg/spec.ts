// Arguments of pkg.installed / pkg.latest / pkg.removed, in Salt's names: `name` or `pkgs`,
// `version`, `install_recommends`, `refresh`, `cache_valid_time`.
import type { Args } from '../../core/args.js';

export interface PkgWant {
  name: string;
  /** Exact Debian version wanted (pkg.installed only). */
  version?: string;
}

export interface PkgSpec {
  packages: PkgWant[];
  installRecommends: boolean;
  /** true: refresh before installing; false: never; undefined: when the lists are missing or old. */
  refresh?: boolean;
  /** Seconds after which the package lists count as old. */
  cacheValidTime: number;
}

// Validated because a name reaches apt-get's argv: "-o…" must never be read as an option.
const PACKAGE = /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/;
const VERSION = /^[A-Za-z0-9.+~:-]+$/;
const DAY = 86_400;

export function parsePkgSpec(a: Args, opts: { versions: boolean }): PkgSpec {
  const version = opts.versions ? a.str('version') : undefined;
  const packages = a.has('pkgs') ? parsePkgs(a, opts.versions) : [{ name: a.name, version }];
  if (a.has('pkgs') && version !== undefined) a.problem('version', 'give versions inside pkgs (- name: version), not beside it');
  for (const p of packages) {
    if (!PACKAGE.test(p.name)) a.problem(a.has('pkgs') ? 'pkgs' : 'name', `not a Debian package name: ${JSON.stringify(p.name)}`);
    if (p.version !== undefined && !VERSION.test(p.version)) a.problem(a.has('pkgs') ? 'pkgs' : 'version', `not a Debian version: ${JSON.stringify(p.version)}`);
  }
  const cacheValidTime = a.int('cache_valid_time') ?? DAY;
  return {
    packages,
    installRecommends: a.bool('install_recommends', false),
    refresh: a.has('refresh') ? a.bool('refresh', false) : undefined,
    cacheValidTime,
  };
}

/** `pkgs:` is a list of names, or of one-key mappings `name: version` as in Salt. */
function parsePkgs(a: Args, versions: boolean): PkgWant[] {
  const raw = a.raw('pkgs');
  if (!Array.isArray(raw) || raw.length === 0) {
    a.problem('pkgs', 'expected a non-empty list of package names');
    return [];
  }
  const out: PkgWant[] = [];
  for (const item of raw) {
    if (typeof item === 'string') out.push({ name: item });
    else if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1) {
      const [name, version] = Object.entries(item)[0];
      if (!versions) a.problem('pkgs', `a version makes no sense here (${name}: ${String(version)})`);
      else if (typeof version !== 'string' && typeof version !== 'number') a.problem('pkgs', `version of ${name} must be a string`);
      else out.push({ name, version: String(version) });
    } else a.problem('pkgs', `expected a package name or "name: version", got ${JSON.stringify(item)}`);
  }
  return out;
}
