// What pip would install into a virtualenv, asked of pip itself (`install --dry-run --report`,
// which changes nothing), and the one change that installs it. Shared by pip.installed and
// virtualenv.managed (its requirements and pip_pkgs).
import { CommandError } from '../../core/errors.js';
import type { HostView, RunOptions } from '../../host/types.js';
import type { Overlay } from '../../host/predicted.js';
import type { Change, Plan } from '../resource.js';
import { pipArgv, pipEnv, readable, readableStdin, tail, type IndexOptions } from './commands.js';
import { normalizeName } from './requirements.js';
import { awaitsUser } from '../accounts/shared.js';

export interface PipRequest {
  /** Requirement specifiers as given. */
  pkgs: string[];
  /** A requirements file's specifier lines (fed to pip on stdin) and how the report names it. */
  requirements?: { label: string; lines: string[] };
  upgrade: boolean;
  noDeps: boolean;
  pre: boolean;
  noIndex: boolean;
  index: IndexOptions;
  user?: string;
  /** The user's home (pip's cache and config), when pip runs as them. */
  home?: string;
  timeoutMs: number;
}

/** The fact a virtualenv brine will create leaves in the predicted host, under topic `venv`. */
export const VENV_FACT = 'venv';

/** Runs as the request's user (with their HOME), files readable by others; `stdin`: it reads /dev/stdin. */
export function asUser(argv: string[], user?: string, stdin = false): string[] {
  const wrapped = stdin ? readableStdin(argv) : readable(argv);
  return user ? ['runuser', '-u', user, '--', ...wrapped] : wrapped;
}

function runOptions(req: PipRequest): RunOptions {
  return {
    env: { ...pipEnv(req.index), ...(req.home ? { HOME: req.home } : {}) },
    input: req.requirements ? req.requirements.lines.join('\n') + '\n' : undefined,
    cwd: '/',
    timeout: req.timeoutMs,
  };
}

function installArgs(req: PipRequest): string[] {
  return [
    ...(req.noIndex ? ['--no-index'] : []),
    ...(req.upgrade ? ['--upgrade'] : []),
    ...(req.noDeps ? ['--no-deps'] : []),
    ...(req.pre ? ['--pre'] : []),
    ...(req.requirements ? ['-r', '/dev/stdin'] : []),
    ...req.pkgs,
  ];
}

const nothing = (req: PipRequest) => !req.pkgs.length && !req.requirements?.lines.length;

interface ReportItem {
  metadata: { name: string; version: string };
  requested?: boolean;
}

/** Plans the install into the virtualenv of `python`; `fresh`: it is created earlier in this run (--test). */
export async function planPip(host: HostView, python: string, venv: string, req: PipRequest, fresh = false): Promise<Plan> {
  if (nothing(req)) return { changes: [] };
  if (fresh) return { changes: [installChange(python, venv, req, req.pkgs, !!req.requirements?.lines.length)] };
  const waiting = await awaitsUser(host, req.user);
  if (waiting) return { changes: [], blocked: waiting };
  const argv = asUser(pipArgv(python, 'install', ['--dry-run', '--quiet', '--no-cache-dir', '--report', '-', ...installArgs(req)]), req.user, !!req.requirements);
  const r = await host.query(argv, runOptions(req));
  if (r.exitCode !== 0) throw new CommandError(argv.slice(argv.indexOf(python)), { ...r, stderr: tail(r.stderr || r.stdout) });
  const items = parseReport(r.stdout);
  if (!items.length) return { changes: [] };
  const requested = new Set(items.filter((i) => i.requested).map((i) => normalizeName(i.metadata.name)));
  const pkgs = req.pkgs.filter((p) => requested.has(normalizeName(p)));
  const own = new Set(req.pkgs.map(normalizeName));
  // What pip installs that no argument asked for by name comes from the file (or is a dependency).
  const fromFile = !!req.requirements && [...requested].some((n) => !own.has(n));
  const change = installChange(python, venv, req, pkgs, fromFile || (!pkgs.length && !!req.requirements));
  change.detail = { install: items.map((i) => `${i.metadata.name} ${i.metadata.version}`) };
  return { changes: [change] };
}

/** pip's JSON report (`--report -`): what it would install; an unreadable one is an error, never "nothing". */
export function parseReport(stdout: string): ReportItem[] {
  const start = stdout.indexOf('{');
  const report = JSON.parse(start >= 0 ? stdout.slice(start) : stdout) as { install?: ReportItem[] };
  if (!Array.isArray(report.install)) throw new Error('pip --report gave no install list');
  return report.install;
}

function installChange(python: string, venv: string, req: PipRequest, pkgs: string[], fromFile: boolean): Change {
  const what = [...(fromFile ? [`-r ${req.requirements!.label}`] : []), ...pkgs].join(' ');
  const argv = asUser(pipArgv(python, 'install', installArgs(req)), req.user, !!req.requirements);
  const change: Change = {
    summary: `pip install ${what} into ${venv}`,
    async apply(h) {
      const r = await h.exec(argv, runOptions(req));
      if (r.exitCode !== 0) throw new CommandError(argv.slice(argv.indexOf(python)), { ...r, stderr: tail(r.stderr || r.stdout) });
      change.detail = { ...change.detail, pip: tail(r.stdout) };
    },
    // What pip writes into site-packages is known once it has run.
    predict: async (o: Overlay) => o.unknown({ source: `pip install into ${venv}`, until: 'has run', paths: new Set([`${venv}/lib`]), dirs: [`${venv}/lib`] }),
  };
  return change;
}
