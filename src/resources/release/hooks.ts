// Unpacking a release and running its hooks (migrate, collectstatic) before the switch: as the
// app user, in the release, with the app's environment file and the release's virtualenv first
// on PATH. The release belongs to the app user only while its hooks run, then to root again.
import { CommandError } from '../../core/errors.js';
import type { Host } from '../../host/types.js';
import type { Change } from '../resource.js';
import { META, releaseDir, type Layout } from './layout.js';
import type { ReleaseManifest } from './manifest.js';
import { readable } from '../python/commands.js';

/** Root-owned, readable by everyone, writable by nobody else. */
const SEAL = ['/bin/sh', '-c', 'chown -R root:root -- "$1" && chmod -R u+rwX,go+rX,go-w -- "$1"', 'brine'];

export function unpack(l: Layout, m: ReleaseManifest, archive: string, venv: string, summary: string): Change {
  return {
    summary,
    // What the archive holds is not read in --test: the release directory is unknown until then.
    async predict(o) {
      for (const dir of [l.root, l.releases]) await o.mkdir(dir, { parents: true, mode: 0o755 });
      o.unknown({ source: `release ${m.id}`, until: 'is unpacked', paths: new Set(), dirs: [releaseDir(l, m.id)] });
    },
    async apply(host: Host) {
      const tmp = `${l.releases}/.unpack-${m.id}`;
      for (const dir of [l.root, l.releases]) await host.mkdir(dir, { parents: true, mode: 0o755 });
      await host.remove(tmp);
      await host.mkdir(tmp, { mode: 0o755 });
      await must(host, readable(['tar', '-x', '--no-same-owner', '-f', archive, '-C', tmp]));
      await must(host, [...SEAL, tmp]);
      const { archive: _a, rollback: _r, ...kept } = m;
      await host.writeFile(`${tmp}/${META}`, JSON.stringify({ ...kept, unpacked: new Date().toISOString(), venv }) + '\n', { mode: 0o644 });
      await host.symlink(venv, `${tmp}/.venv`);
      await host.rename(tmp, releaseDir(l, m.id));
    },
  };
}

// Sources the environment file as root (it is root-only), then drops to the app user. A first
// word naming a file of the release (`manage.py`) runs that file.
const HOOK = [
  'f=$1 d=$2 u=$3 v=$4 c=$5; shift 5',
  'if [ -n "$f" ] && [ -e "$f" ]; then set -a; . "$f"; set +a; fi',
  'cd "$d" || exit 1',
  'case $c in */*) ;; *) [ ! -f "$c" ] || c=./$c ;; esac',
  'umask 022',
  'exec runuser -u "$u" -- /usr/bin/env "PATH=$v/bin:/usr/local/bin:/usr/bin:/bin" "VIRTUAL_ENV=$v" "$c" "$@"',
].join('\n');

export interface HookContext {
  dir: string;
  user: string;
  envFile?: string;
  env: Record<string, string>;
  venv: string;
  timeoutS: number;
}

export function hook(argv: string[], h: HookContext): Change {
  const change: Change = {
    summary: `run hook: ${argv.join(' ')}`,
    // A hook works on the release (unknown until unpacked) and the app's own data, which no
    // state reads: nothing for later states to plan against.
    async predict() {},
    async apply(host: Host) {
      await must(host, ['chown', '-R', `${h.user}:`, '--', h.dir]);
      try {
        const full = ['/bin/sh', '-c', HOOK, 'brine-hook', h.envFile ?? '', h.dir, h.user, h.venv, ...argv];
        const r = await host.exec(full, { env: h.env, timeout: h.timeoutS * 1000 });
        change.detail = { retcode: r.exitCode, stdout: tail(r.stdout), stderr: tail(r.stderr) };
        if (r.exitCode !== 0) throw new CommandError(argv, r);
      } finally {
        await must(host, [...SEAL, h.dir]);
      }
    },
  };
  return change;
}

export async function must(host: Host, argv: string[]): Promise<void> {
  const r = await host.exec(argv);
  if (r.exitCode !== 0) throw new CommandError(argv, r);
}

const tail = (s: string) => (s.length > 3000 ? '…' + s.slice(-3000) : s).trimEnd();
