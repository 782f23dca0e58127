// release.deployed: the app's code as releases under `name` (/srv/<project>): unpack the
// uploaded release, build its virtualenv if its requirements are new, run the release hooks,
// switch `current` atomically, reload the service, health-check (switching back on failure),
// and prune old releases. A rollback manifest switches to a release the host already has.
import { StateFailure } from '../../core/errors.js';
import type { Change, ResourceFunction, ResourceKind } from '../resource.js';
import { hook, unpack } from './hooks.js';
import { layout, linked, readMeta, releaseDir } from './layout.js';
import { filesChanged, parseManifest } from './manifest.js';
import { planPrune } from './prune.js';
import { parseSpec, type ReleaseSpec } from './spec.js';
import { switchTo } from './switch.js';
import { buildVenv, venvPath, venvReady } from './venv.js';

export const deployed: ResourceFunction<ReleaseSpec> = {
  parse: parseSpec,

  async plan(spec, { host }) {
    const text = await host.readFile(spec.manifest);
    if (text === null) throw new StateFailure(`no release at ${spec.manifest} (brine provision uploads one when the pillar has app.source)`);
    const m = parseManifest(text, spec.manifest);
    const l = layout(spec.root);
    const dir = releaseDir(l, m.id);
    const [current, previous, here] = await Promise.all([linked(host, l.current), linked(host, l.previous), host.stat(dir)]);
    const currentMeta = current ? await readMeta(host, l, current) : undefined;
    const changes: Change[] = [];

    if (m.rollback) {
      if (here?.type !== 'directory') throw new StateFailure(`release ${m.id} is not on the host (brine releases lists what is)`);
      if (current === m.id) return { changes, comment: `${m.id} is the current release` };
      const venv = (await readMeta(host, l, m.id))?.venv;
      changes.push(switchTo(l, spec, { id: m.id, from: current, previous, restart: venv !== currentMeta?.venv, action: 'rollback', by: m.by }));
      return { changes };
    }

    const venv = venvPath(l, m, spec.venv);
    if (here && here.type !== 'directory') throw new StateFailure(`${dir} exists and is a ${here.type}`);
    if (!here) {
      const archive = m.archive && `${spec.manifest.slice(0, spec.manifest.lastIndexOf('/'))}/${m.archive}`;
      if (!archive) throw new StateFailure(`release ${m.id} is not on the host and no archive of it was uploaded`);
      const vs = current ? `against ${current}: ${filesChanged(currentMeta?.files, m.files)}` : filesChanged(undefined, m.files);
      changes.push(unpack(l, m, archive, venv, `unpack release ${m.id} (${m.ref} ${m.commit.slice(0, 12)}; ${vs})`));
    }
    const venvChanged = venv !== currentMeta?.venv;
    if (!(await venvReady(host, venv))) {
      changes.push(buildVenv(venv, dir, m, spec.venv, spec.timeout, m.requirements ? `requirements ${!currentMeta ? 'new' : venvChanged ? 'changed' : 'unchanged'}: ${m.requirements.path}` : 'no requirements'));
    }
    if (current !== m.id) {
      const ctx = { dir, user: spec.user, envFile: spec.envFile, env: spec.env, venv, timeoutS: spec.timeout };
      changes.push(...spec.hooks.map((h) => hook(h, ctx)));
      changes.push(switchTo(l, spec, { id: m.id, from: current, previous, restart: Boolean(current) && venvChanged, action: 'deploy', by: m.by }));
    }
    changes.push(...(await planPrune(host, l, spec.keep, { id: m.id, venv }, current === m.id ? [current, previous] : [current])));
    const comment = [
      current === m.id ? `${m.id} is the current release` : here ? `release ${m.id} is on the host already` : '',
      current !== m.id && !venvChanged ? `virtualenv ${venv} reused` : '',
    ].filter(Boolean).join('; ');
    return { changes, comment };
  },
};

export const release: ResourceKind = { deployed };
