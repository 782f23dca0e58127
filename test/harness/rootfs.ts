// Builds a flavour's Debian rootfs (its suite: bookworm or trixie) with mmdebstrap and caches it as a tar plus an extracted
// tree (the overlays' lowerdir), keyed by a hash of package list + recipe: never rebuilt in use.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { debianSourceLines } from './apt-sources.js';
import { cacheDir } from './config.js';
import { DEFAULT_SUITE, resolveFlavour, type Flavour, type FlavourRef } from './flavours.js';
import { unlock, waitLock } from './lock.js';

/**
 * Everything about a build besides the package lists. Change anything here and every flavour
 * gets a new key, hence a fresh build; old trees stay for hosts still running on them.
 */
const RECIPE = {
  version: 1,
  variant: 'apt',
  // Hosts get their address from systemd-networkd (10-test.network is written per host).
  // apt's daily timers would fire at first boot (Persistent=) and take the dpkg lock mid-test.
  // mmdebstrap copies the build machine's resolv.conf; hosts have no DNS, so make lookups fail
  // at once instead of timing out, and never send a query anywhere.
  hooks: [
    'systemctl --root="$1" enable systemd-networkd.service',
    'systemctl --root="$1" mask apt-daily.timer apt-daily-upgrade.timer',
    'rm -f "$1/etc/hostname" "$1/etc/machine-id"',
  ],
  // Last, after any downloads.
  finalHooks: ['echo "nameserver 127.0.0.1" > "$1/etc/resolv.conf"'],
  // Apt on the host installs Recommends; mmdebstrap's build-time apt config does not.
  predownloadHook: 'chroot "$1" apt-get -o APT::Install-Recommends=true --download-only -y install',
  // Keep the package lists, as on a real server: apt works inside without `apt-get update`.
  skip: ['cleanup/apt/lists'],
};

export interface Rootfs {
  flavour: Flavour;
  key: string;
  /** The cached artifact. */
  tar: string;
  /** The extracted tree: read-only lowerdir of every host's overlay. */
  dir: string;
}

export function rootfsKey(f: Flavour): string {
  const input = JSON.stringify({
    RECIPE,
    suite: f.suite ?? DEFAULT_SUITE,
    include: [...f.include].sort(),
    predownload: [...(f.predownload ?? [])].sort(),
  });
  return createHash('sha256').update(input).digest('hex').slice(0, 12);
}

export function rootfsPaths(ref: FlavourRef): Rootfs {
  const flavour = resolveFlavour(ref);
  const key = rootfsKey(flavour);
  const base = join(cacheDir, `${flavour.name}-${key}`);
  return { flavour, key, tar: `${base}.tar`, dir: join(cacheDir, 'rootfs', `${flavour.name}-${key}`) };
}

export function mmdebstrapArgs(f: Flavour, outTar: string, sources = debianSourceLines(f.suite ?? DEFAULT_SUITE)): string[] {
  const hooks = [...RECIPE.hooks];
  const skip = [...RECIPE.skip];
  if (f.predownload?.length) {
    hooks.push(`${RECIPE.predownloadHook} ${f.predownload.join(' ')}`);
    skip.push('cleanup/apt/cache');
  }
  hooks.push(...RECIPE.finalHooks);
  return [
    '--mode=root',
    `--variant=${RECIPE.variant}`,
    '--format=tar',
    `--include=${f.include.join(',')}`,
    ...skip.map((s) => `--skip=${s}`),
    ...hooks.map((h) => `--customize-hook=${h}`),
    f.suite ?? DEFAULT_SUITE,
    outTar,
    ...sources,
  ];
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface EnsureResult extends Rootfs {
  built: boolean;
  extracted: boolean;
  ms: number;
}

/** Returns the flavour's extracted rootfs, building the tar and/or extracting as needed. */
export async function ensureRootfs(ref: FlavourRef, log: (msg: string) => void = () => {}): Promise<EnsureResult> {
  const t0 = Date.now();
  const r = rootfsPaths(ref);
  const result = (built: boolean, extracted: boolean) => ({ ...r, built, extracted, ms: Date.now() - t0 });
  if (existsSync(r.dir)) return result(false, false);

  const lock = join(cacheDir, 'locks', `${r.flavour.name}-${r.key}.lock`);
  await waitLock(lock, 'rootfs build', 30 * 60_000);
  try {
    if (existsSync(r.dir)) return result(false, false); // built by whoever held the lock
    let built = false;
    if (!existsSync(r.tar)) {
      log(`building rootfs '${r.flavour.name}' (${r.key}) with mmdebstrap…`);
      const part = `${r.tar}.part`;
      const buildLog = `${r.tar}.build.log`;
      rmSync(part, { force: true });
      const res = await execa('mmdebstrap', mmdebstrapArgs(r.flavour, part), {
        reject: false,
        stdin: 'ignore',
        all: true,
      });
      writeFileSync(buildLog, res.all ?? '');
      if (res.exitCode !== 0) {
        rmSync(part, { force: true });
        throw new Error(`mmdebstrap for '${r.flavour.name}' failed (exit ${res.exitCode}); ${buildLog}:\n${tail(buildLog)}`);
      }
      renameSync(part, r.tar);
      built = true;
    }
    log(`extracting ${r.tar}…`);
    const part = `${r.dir}.part`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    await execa('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', r.tar, '-C', part]);
    renameSync(part, r.dir); // atomic: the tree exists only once complete
    return result(built, true);
  } finally {
    unlock(lock);
  }
}
