// release.deployed's arguments: where the app lives, the release to deploy, how to build its
// virtualenv, the hooks to run before the switch, the service and its health check.
import type { Args } from '../../core/args.js';
import { splitWords } from '../../core/args.js';

export interface VenvOptions {
  systemSitePackages: boolean;
  indexUrl?: string;
  /** Directories or URLs; a relative path names a directory of the release (a wheelhouse). */
  findLinks: string[];
  extraArgs: string[];
}

export interface HealthCheck {
  path: string;
  host?: string;
  socket?: string;
  port?: number;
  /** Seconds the check may take, retries of a refused connection included. */
  timeout: number;
}

export interface ReleaseSpec {
  /** The app's root: releases/, venvs/, current, previous, deploys.jsonl. */
  root: string;
  /** release.json as the controller uploaded it. */
  manifest: string;
  user: string;
  service: string;
  envFile?: string;
  env: Record<string, string>;
  hooks: string[][];
  venv: VenvOptions;
  health?: HealthCheck;
  keep: number;
  /** Seconds for each hook and for pip. */
  timeout: number;
}

export function parseSpec(a: Args): ReleaseSpec {
  const root = a.name;
  if (!root.startsWith('/') || root === '/') a.problem('name', 'must be an absolute path (the app root, e.g. /srv/hello)');
  const env = a.mapping('env') ?? {};
  const keep = a.int('keep_releases') ?? 5;
  if (keep < 1) a.problem('keep_releases', 'must be at least 1');
  const path = a.str('healthcheck');
  const port = a.int('healthcheck_port');
  const socket = a.str('healthcheck_socket');
  if (path !== undefined && !path.startsWith('/')) a.problem('healthcheck', 'must be a path starting with /, e.g. /healthz');
  if (path !== undefined && (port === undefined) === (socket === undefined)) {
    a.problem('healthcheck', 'needs exactly one of healthcheck_socket or healthcheck_port (where gunicorn listens)');
  }
  return {
    root,
    manifest: a.required('release'),
    user: a.required('user'),
    service: a.required('service'),
    envFile: a.str('env_file'),
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
    hooks: hooks(a),
    venv: {
      systemSitePackages: a.bool('system_site_packages', false),
      indexUrl: a.str('index_url'),
      findLinks: a.strList('find_links') ?? [],
      extraArgs: a.strList('extra_args')?.flatMap((x) => splitWords(x)) ?? [],
    },
    health: path === undefined ? undefined : { path, host: a.str('healthcheck_host'), socket, port, timeout: a.int('healthcheck_timeout') ?? 30 },
    keep,
    timeout: a.int('timeout') ?? 600,
  };
}

/** A list of commands, each an argv list or a string split into words (no shell). */
function hooks(a: Args): string[][] {
  const v = a.raw('hooks');
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    a.problem('hooks', 'expected a list of commands');
    return [];
  }
  const out: string[][] = [];
  for (const h of v) {
    const argv = typeof h === 'string' ? splitWords(h) : Array.isArray(h) && h.every((x) => typeof x === 'string' || typeof x === 'number') ? h.map(String) : [];
    if (!argv.length) a.problem('hooks', `expected a command (string or argv list), got ${JSON.stringify(h)}`);
    else out.push(argv);
  }
  return out;
}
