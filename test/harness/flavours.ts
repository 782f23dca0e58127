// The rootfs flavours test hosts boot from. `full` has brine's whole stack preinstalled
// (fast state tests); `bare` is a fresh server with that stack only pre-downloaded. Each comes
// for Debian 12 (bookworm, the default) and Debian 13 (trixie: `full-trixie`, `bare-trixie`).

export interface Flavour {
  /** [a-z0-9-]+; names the cached tar and rootfs dir. */
  name: string;
  /** The Debian release (codename); default bookworm. */
  suite?: string;
  /** Packages installed into the rootfs (with their Recommends, as apt does on a server). */
  include: string[];
  /** Packages only downloaded into apt's cache, so `apt-get install` works offline inside. */
  predownload?: string[];
}

/** Debian releases test hosts run, by version number (the demo's `--release`). */
export const RELEASES: Record<string, string> = { '12': 'bookworm', '13': 'trixie' };
export const DEFAULT_SUITE = 'bookworm';

const BOOT = ['systemd', 'systemd-sysv', 'dbus', 'openssh-server'];

/**
 * What brine itself and the states it ships need on a host of `suite`. The nginx package is
 * the one the stack picks from `os.codename` (states/nginx): on trixie `nginx-light` is only a
 * transitional package.
 */
export function stack(suite = DEFAULT_SUITE): string[] {
  const nginx = suite === 'bookworm' ? 'nginx-light' : 'nginx';
  return ['nodejs', 'rsync', 'python3', 'sudo', 'ufw', 'iptables', nginx, 'gunicorn', 'openssl', 'python3-psycopg2', 'python3-redis'];
}

/** The servers of the app's data (states/postgres, states/redis): only pre-downloaded, in `bare`. */
export const DATA = ['postgresql', 'redis-server'];

/** What the example app's releases need: a virtualenv and Django. */
export const APP = ['python3-venv', 'python3-django'];

/**
 * The shipped fail2ban, upgrades and hardening states' packages: pre-downloaded in `bare` only
 * (`full` boots without them: auditd, for one, cannot run in a container).
 */
export const HARDENING = [
  'fail2ban',
  'python3-systemd',
  'unattended-upgrades',
  'needrestart',
  'libpam-tmpdir',
  'auditd',
  'debsums',
  'apt-show-versions',
  'acct',
  'libpam-pwquality',
  'apt-listchanges',
];

/** For the audit tests only: copied in by the test, never installed by the states. */
export const AUDIT = ['lynis'];

const EXTRA = ['libpam-systemd', 'iproute2', 'procps', 'ca-certificates', 'curl', 'netbase'];

function pair(suite: string, suffix: string): [Flavour, Flavour] {
  return [
    { name: `full${suffix}`, suite, include: [...BOOT, ...EXTRA, ...stack(suite), ...APP] },
    { name: `bare${suffix}`, suite, include: [...BOOT], predownload: [...stack(suite), ...APP, ...DATA, ...HARDENING, ...AUDIT] },
  ];
}

export const [full, bare] = pair('bookworm', '');
export const [fullTrixie, bareTrixie] = pair('trixie', '-trixie');

/** The bare flavour of a release number ('12', '13'). */
export function bareOf(release: string): Flavour {
  const suite = RELEASES[release];
  if (!suite) throw new Error(`unknown Debian release '${release}' (known: ${Object.keys(RELEASES).join(', ')})`);
  return suite === DEFAULT_SUITE ? bare : flavour(`bare-${suite}`);
}

const registry = new Map<string, Flavour>([full, bare, fullTrixie, bareTrixie].map((f) => [f.name, f]));

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

function validate(f: Flavour): Flavour {
  if (!NAME.test(f.name)) throw new Error(`bad flavour name '${f.name}'`);
  if (f.suite !== undefined && !Object.values(RELEASES).includes(f.suite)) throw new Error(`flavour ${f.name}: unknown suite '${f.suite}'`);
  // Package names end up in mmdebstrap's hook scripts: allow nothing a shell would interpret.
  for (const p of [...f.include, ...(f.predownload ?? [])]) {
    if (!PACKAGE.test(p)) throw new Error(`flavour ${f.name}: bad package name '${p}'`);
  }
  return f;
}

/**
 * Registers a flavour, optionally on top of another: e.g. the benchmark's
 * `defineFlavour({ name: 'bench', base: 'full', include: ['ansible', 'puppet'] })`.
 */
export function defineFlavour(spec: Flavour & { base?: string }): Flavour {
  const base = spec.base ? flavour(spec.base) : undefined;
  const suite = spec.suite ?? base?.suite;
  const f = validate({
    name: spec.name,
    ...(suite ? { suite } : {}),
    include: [...new Set([...(base?.include ?? []), ...spec.include])],
    predownload: [...new Set([...(base?.predownload ?? []), ...(spec.predownload ?? [])])],
  });
  registry.set(f.name, f);
  return f;
}

export function flavour(name: string): Flavour {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown flavour '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return f;
}

export type FlavourRef = string | Flavour;

export function resolveFlavour(ref: FlavourRef): Flavour {
  return validate(typeof ref === 'string' ? flavour(ref) : ref);
}
