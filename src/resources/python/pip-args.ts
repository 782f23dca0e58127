// The arguments pip.installed and virtualenv.managed share: packages, a requirements file, index
// options, the user pip runs as. A requirements file from the state tree is read when compiling;
// one on the host when planning (as the run will have left it).
import { isAbsolute } from 'node:path';
import type { Args } from '../../core/args.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import { isFileSource, type HostView } from '../../host/types.js';
import { readPasswd } from '../accounts/passwd.js';
import type { ParseContext } from '../resource.js';
import type { PipRequest } from './pip-plan.js';
import { badSpecifier, requirementLines } from './requirements.js';

export interface PipArgs extends Omit<PipRequest, 'requirements' | 'home' | 'pkgs'> {
  pkgs: string[];
  requirements?: { label: string; lines: string[] } | { hostPath: string };
}

/** Salt pip arguments brine does not carry over, and why. */
export const REFUSED_PIP: Record<string, string> = {
  editable: 'editable installs are not supported: install the package',
  install_options: 'setup.py options are not supported (deprecated by pip)',
  global_options: 'setup.py options are not supported (deprecated by pip)',
  target: 'brine installs into a virtualenv (bin_env) only',
  download: 'brine installs packages; it does not download them',
  proxy: 'set the proxy in pip.conf of the user, or PIP_PROXY in the system environment',
  env_vars: 'index URLs and find_links are the state arguments brine passes to pip',
  use_wheel: 'pip always uses wheels where it can',
  no_use_wheel: 'not supported by current pip',
};

export function parsePipArgs(a: Args, ctx: ParseContext, pkgsKey: string, pkgs: string[]): PipArgs {
  for (const p of pkgs) {
    const bad = badSpecifier(p);
    if (bad) a.problem(pkgsKey, bad);
  }
  const findLinks = a.strList('find_links') ?? [];
  for (const f of findLinks) if (!/^(https?|file):\/\/|^\//.test(f)) a.problem('find_links', `expected an absolute path or a URL, got ${JSON.stringify(f)}`);
  const user = a.str('user');
  return {
    pkgs,
    requirements: parseRequirements(a, ctx),
    upgrade: a.bool('upgrade', false),
    noDeps: a.bool('no_deps', false),
    pre: a.bool('pre_releases', false),
    noIndex: a.bool('no_index', false),
    index: { indexUrl: a.str('index_url'), extraIndexUrl: a.str('extra_index_url'), findLinks },
    user,
    timeoutMs: (a.int('timeout') ?? 600) * 1000,
  };
}

function parseRequirements(a: Args, ctx: ParseContext): PipArgs['requirements'] {
  const req = a.str('requirements');
  if (req === undefined) return undefined;
  if (/^(salt|brine):\/\//.test(req)) {
    const loaded = ctx.loadSource(req, { render: false });
    if (isFileSource(loaded)) return void a.problem('requirements', `${req} is too large for a requirements file`);
    const { lines, problems } = requirementLines(loaded.toString());
    for (const p of problems) a.problem('requirements', `${req} ${p}`);
    return { label: req, lines };
  }
  if (!isAbsolute(req)) a.problem('requirements', `expected salt://path or an absolute path on the host, got ${JSON.stringify(req)}`);
  return { hostPath: req };
}

/** The request as pip gets it: a requirements file on the host read now, the user's HOME looked up. */
export async function resolvePip(host: HostView, p: PipArgs): Promise<PipRequest> {
  let requirements: PipRequest['requirements'];
  if (p.requirements && 'hostPath' in p.requirements) {
    const text = await host.readFile(p.requirements.hostPath);
    if (text === null) throw new MissingError(`requirements file ${p.requirements.hostPath} does not exist`);
    const { lines, problems } = requirementLines(text);
    if (problems.length) throw new StateFailure(`${p.requirements.hostPath}: ${problems.join('; ')}`);
    requirements = { label: p.requirements.hostPath, lines };
  } else requirements = p.requirements;
  let home: string | undefined;
  if (p.user) {
    home = (await readPasswd(host)).find((u) => u.name === p.user)?.home;
    if (home === undefined) throw new MissingError(`user '${p.user}' does not exist`);
  }
  return { ...p, requirements, home };
}
