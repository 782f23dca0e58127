// The rootfs flavours test hosts boot from. `full` has brine's whole stack preinstalled
// (fast state tests); `bare` is a fresh server with that stack only pre-downloaded.

export interface Flavour {
  /** [a-z0-9-]+; names the cached tar and rootfs dir. */
  name: string;
  /** Packages installed into the rootfs (with their Recommends, as apt does on a server). */
  include: string[];
  /** Packages only downloaded into apt's cache, so `apt-get install` works offline inside. */
  predownload?: string[];
}

const BOOT = ['systemd', 'systemd-sysv', 'dbus', 'openssh-server'];

/** What brine itself and the states it ships need on a host. */
export const STACK = ['nodejs', 'rsync', 'python3', 'sudo', 'ufw', 'iptables', 'nginx-light', 'gunicorn', 'openssl', 'python3-psycopg2', 'python3-redis'];

/** The servers of the app's data (states/postgres, states/redis): only pre-downloaded, in `bare`. */
export const DATA = ['postgresql', 'redis-server'];

/** What the example app's releases need: a virtualenv, Django, and its data services' clients. */
export const APP = ['python3-venv', 'python3-django'];

export const full: Flavour = {
  name: 'full',
  include: [...BOOT, 'libpam-systemd', 'iproute2', 'procps', 'ca-certificates', 'curl', 'netbase', ...STACK, ...APP],
};

export const bare: Flavour = {
  name: 'bare',
  include: [...BOOT],
  predownload: [...STACK, ...APP, ...DATA],
};

const registry = new Map<string, Flavour>([
  [full.name, full],
  [bare.name, bare],
]);

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

function validate(f: Flavour): Flavour {
  if (!NAME.test(f.name)) throw new Error(`bad flavour name '${f.name}'`);
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
  const f = validate({
    name: spec.name,
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
