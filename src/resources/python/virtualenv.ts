// virtualenv.managed: a virtualenv made with Debian's `python3 -m venv` (package python3-venv),
// its system_site_packages setting, and what `requirements` / `pip_pkgs` ask installed in it.
import { dirname } from 'node:path';
import type { Args } from '../../core/args.js';
import { CommandError, StateFailure } from '../../core/errors.js';
import type { FileWriter } from '../../host/types.js';
import type { Change, ParseContext, ResourceFunction, ResourceKind } from '../resource.js';
import { parsePath } from '../file/paths.js';
import { venvArgv } from './commands.js';
import { REFUSED_PIP, parsePipArgs, resolvePip, type PipArgs } from './pip-args.js';
import { VENV_FACT, asUser, planPip } from './pip-plan.js';

interface VenvSpec {
  path: string;
  systemSitePackages: boolean;
  pip: PipArgs;
}

const REFUSED: Record<string, string> = {
  ...REFUSED_PIP,
  venv_bin: 'brine makes virtualenvs with python3 -m venv (Debian: python3-venv)',
  python: 'brine makes virtualenvs with the system python3',
  clear: 'brine never empties a virtualenv: remove it (file.absent) to start over',
  symlinks: 'python3 -m venv on Debian links the interpreter already',
  prompt: 'not supported',
  never_download: 'brine never downloads the virtualenv tool itself',
  pip_upgrade: 'the virtualenv keeps the pip Debian ships it',
  distribute: 'obsolete',
};

const SETTING = /^include-system-site-packages\s*=\s*(\S+)\s*$/m;

export const managed: ResourceFunction<VenvSpec> = {
  parse(a: Args, ctx: ParseContext) {
    a.refuse(REFUSED);
    const path = parsePath(a);
    return { path, systemSitePackages: a.bool('system_site_packages', false), pip: parsePipArgs(a, ctx, 'pip_pkgs', a.strList('pip_pkgs') ?? []) };
  },

  async plan(spec, { host }) {
    const req = await resolvePip(host, spec.pip);
    const python = `${spec.path}/bin/python`;
    const st = await host.stat(spec.path);
    if (st && st.type !== 'directory') throw new StateFailure(`${spec.path} exists and is a ${st.type}, not a directory`);
    const cfgPath = `${spec.path}/pyvenv.cfg`;
    const cfg = st ? await host.readFile(cfgPath) : null;
    if (cfg === null) {
      if (st && ((await host.readdir(spec.path)) ?? []).length) throw new StateFailure(`${spec.path} exists, is not empty and is not a virtualenv (no pyvenv.cfg)`);
      if (!(await host.stat(dirname(spec.path)))) throw new StateFailure(`parent directory ${dirname(spec.path)} does not exist`);
      const argv = asUser(venvArgv(spec.path, spec.systemSitePackages), req.user);
      const create: Change = {
        summary: `create virtualenv ${spec.path}${spec.systemSitePackages ? ' (system site packages)' : ''}${req.user ? ` as ${req.user}` : ''}`,
        async apply(h) {
          const r = await h.exec(argv, { cwd: '/', ...(req.home ? { env: { HOME: req.home } } : {}) });
          if (r.exitCode !== 0) throw new CommandError(argv, r);
        },
        // Its files are python3 -m venv's; that it will exist is what pip.installed plans against.
        async predict(o) {
          o.setFact(VENV_FACT, spec.path, { created: true, systemSitePackages: spec.systemSitePackages });
          o.unknown({ source: `python3 -m venv ${spec.path}`, until: 'has run', paths: new Set([spec.path]), dirs: [spec.path] });
        },
      };
      const install = await planPip(host, python, spec.path, req, true);
      return { changes: [create, ...install.changes] };
    }
    const changes: Change[] = [];
    const now = SETTING.exec(cfg)?.[1] === 'true';
    if (now !== spec.systemSitePackages) {
      const line = `include-system-site-packages = ${spec.systemSitePackages}`;
      const text = SETTING.test(cfg) ? cfg.replace(SETTING, line) : `${cfg.replace(/\n?$/, '\n')}${line}\n`;
      const cst = (await host.stat(cfgPath))!;
      const write = (h: FileWriter) => h.writeFile(cfgPath, text, { mode: cst.mode, uid: cst.uid, gid: cst.gid });
      changes.push({ summary: `system_site_packages ${now} → ${spec.systemSitePackages} (${cfgPath})`, apply: write, predict: write });
    }
    // With the setting changing, what pip finds satisfied changes too: everything is installed again.
    return { changes: [...changes, ...(await planPip(host, python, spec.path, req, changes.length > 0)).changes] };
  },
};

export const virtualenv: ResourceKind = { managed };
