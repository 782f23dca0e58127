// The release's virtualenv: one per distinct requirements content (and pip options), built with
// the distribution's `python3 -m venv`, shared by every release whose requirements are the same.
import { createHash } from 'node:crypto';
import { CommandError } from '../../core/errors.js';
import type { Host, HostView } from '../../host/types.js';
import type { Change } from '../resource.js';
import type { Layout } from './layout.js';
import type { ReleaseManifest } from './manifest.js';
import type { VenvOptions } from './spec.js';
import { pipArgv, pipEnv, readable, tail, venvArgv } from '../python/commands.js';

/** Written last: a virtualenv without it is half-built and is built again. */
const COMPLETE = '.brine-complete';

export function venvPath(l: Layout, m: ReleaseManifest, o: VenvOptions): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ requirements: m.requirements?.text ?? null, ...o }))
    .digest('hex')
    .slice(0, 16);
  return `${l.venvs}/${key}`;
}

export async function venvReady(host: HostView, path: string): Promise<boolean> {
  return (await host.stat(`${path}/${COMPLETE}`))?.type === 'file';
}

export function buildVenv(path: string, release: string, m: ReleaseManifest, o: VenvOptions, timeoutS: number, why: string): Change {
  const change: Change = {
    summary: `build virtualenv ${path} (${why})`,
    predict: async (o) => o.unknown({ source: `virtualenv ${path}`, until: 'is built', paths: new Set(), dirs: [path] }),
    async apply(host: Host) {
      await host.remove(path);
      await host.mkdir(path.slice(0, path.lastIndexOf('/')), { parents: true, mode: 0o755 });
      await run(host, readable(venvArgv(path, o.systemSitePackages)), timeoutS);
      if (m.requirements) {
        const env = pipEnv({ indexUrl: o.indexUrl, findLinks: o.findLinks.map((f) => (/^[a-z]+:|^\//.test(f) ? f : `${release}/${f}`)) });
        const pip = pipArgv(`${path}/bin/python`, 'install', [...o.extraArgs, '-r', `${release}/${m.requirements.path}`]);
        const r = await run(host, readable(pip), timeoutS, env);
        change.detail = { pip: tail(r.stdout) };
      }
      await host.writeFile(`${path}/${COMPLETE}`, `${new Date().toISOString()}\n`, { mode: 0o644 });
    },
  };
  return change;
}

async function run(host: Host, argv: string[], timeoutS: number, env?: Record<string, string>) {
  const r = await host.exec(argv, { timeout: timeoutS * 1000, env });
  if (r.exitCode !== 0) throw new CommandError(argv.slice(4), { ...r, stderr: tail(r.stderr || r.stdout) });
  return r;
}
