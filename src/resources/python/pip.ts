// pip.installed: packages in a virtualenv (`bin_env`), planned with pip's own dry run. Debian's
// system Python is externally managed (PEP 668), so a bin_env is required.
import { dirname, isAbsolute } from 'node:path';
import type { Args } from '../../core/args.js';
import { MissingError } from '../../core/errors.js';
import type { ParseContext, ResourceFunction, ResourceKind } from '../resource.js';
import { REFUSED_PIP, parsePipArgs, resolvePip, type PipArgs } from './pip-args.js';
import { VENV_FACT, planPip } from './pip-plan.js';

interface PipSpec {
  /** The interpreter whose pip installs, and the virtualenv it belongs to. */
  python: string;
  venv: string;
  pip: PipArgs;
}

/** Salt's bin_env: a virtualenv, its pip, or its python. */
export function binEnv(path: string): { python: string; venv: string } {
  if (/\/bin\/python[0-9.]*$/.test(path)) return { python: path, venv: dirname(dirname(path)) };
  if (/\/bin\/pip[0-9.]*$/.test(path)) return { python: `${dirname(path)}/python`, venv: dirname(dirname(path)) };
  const venv = path.replace(/(.)\/+$/, '$1');
  return { python: `${venv}/bin/python`, venv };
}

export const installed: ResourceFunction<PipSpec> = {
  parse(a: Args, ctx: ParseContext) {
    a.refuse(REFUSED_PIP);
    const list = a.strList('pkgs');
    const requirements = a.has('requirements');
    // As in Salt, the name is the package unless pkgs or requirements say what to install.
    const pkgs = list ?? (requirements ? [] : [a.name]);
    const pip = parsePipArgs(a, ctx, list ? 'pkgs' : 'name', pkgs);
    const env = a.str('bin_env');
    if (env === undefined) a.problem('bin_env', "is required: Debian's system Python is externally managed (PEP 668); install into a virtualenv (virtualenv.managed), or Debian's python3-* packages with pkg.installed");
    else if (!isAbsolute(env)) a.problem('bin_env', `expected the absolute path of a virtualenv, got ${JSON.stringify(env)}`);
    return { ...binEnv(env ?? '/'), pip };
  },

  async plan(spec, { host }) {
    const req = await resolvePip(host, spec.pip);
    const fresh = host.predicted?.(VENV_FACT, spec.venv);
    if (fresh?.created) {
      // Created earlier in this run: with the system's packages visible, pip's view is known only then.
      if (fresh.systemSitePackages) return { changes: [], blocked: `what pip finds in ${spec.venv} is known once the virtualenv is created (system_site_packages)` };
      return planPip(host, spec.python, spec.venv, req, true);
    }
    if (!(await host.stat(spec.python))) throw new MissingError(`${spec.python} does not exist: make the virtualenv first (virtualenv.managed ${spec.venv})`);
    return planPip(host, spec.python, spec.venv, req);
  },
};

export const pip: ResourceKind = { installed };
