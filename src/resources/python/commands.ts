// How brine runs Debian's Python tools: `python3 -m venv` for a virtualenv, the venv's own
// `python -m pip` to install into it. Shared by virtualenv.managed, pip.installed and the
// release's virtualenv (release/venv.ts).

/** Runs argv with umask 022: other users (an app's) must read what root builds (the agent runs with 077). */
export const readable = (argv: string[]) => ['/bin/sh', '-c', 'umask 022 && exec "$@"', 'brine', ...argv];

/**
 * As `readable`, for a command that opens /dev/stdin by name (pip's `-r /dev/stdin`): the agent's
 * stdin is a socket, which cannot be opened so; `cat` hands it on through a real pipe.
 */
export const readableStdin = (argv: string[]) => ['/bin/sh', '-c', 'umask 022 && cat | exec "$@"', 'brine', ...argv];

/** Makes a virtualenv with the distribution's venv module (Debian: the python3-venv package). */
export const venvArgv = (path: string, systemSitePackages: boolean) => ['python3', '-m', 'venv', ...(systemSitePackages ? ['--system-site-packages'] : []), path];

/** pip of the interpreter `python`, never asking, never warning about its own version. */
export const pipArgv = (python: string, command: string, args: string[]) => [python, '-m', 'pip', command, '--no-input', '--disable-pip-version-check', ...args];

export interface IndexOptions {
  indexUrl?: string;
  extraIndexUrl?: string;
  /** Directories or URLs of wheels. */
  findLinks: string[];
}

/** Index URLs may hold credentials: pip reads them from its environment, never argv. */
export function pipEnv(o: IndexOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (o.indexUrl) env.PIP_INDEX_URL = o.indexUrl;
  if (o.extraIndexUrl) env.PIP_EXTRA_INDEX_URL = o.extraIndexUrl;
  if (o.findLinks.length) env.PIP_FIND_LINKS = o.findLinks.join(' ');
  return env;
}

const OUTPUT = 3000;
/** The end of a command's output, for reports and errors. */
export const tail = (s: string) => (s.length > OUTPUT ? '…' + s.slice(-OUTPUT) : s).trim();
