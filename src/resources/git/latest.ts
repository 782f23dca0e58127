// git.latest: a checkout at what a remote's branch, tag or commit names now. The plan asks the
// remote with `git ls-remote` (nothing is fetched into the target before apply) and compares
// the checkout's HEAD: clone, or move A → B — by fast-forward, or with force_reset by reset.
import { isAbsolute } from 'node:path';
import type { Args } from '../../core/args.js';
import { CommandError, MissingError, StateFailure } from '../../core/errors.js';
import type { Host, HostView, RunOptions } from '../../host/types.js';
import type { Overlay } from '../../host/predicted.js';
import { readPasswd } from '../accounts/passwd.js';
import { awaitsUser } from '../accounts/shared.js';
import type { Change, ResourceFunction } from '../resource.js';
import { parseLsRemote, resolveRev, type Target } from './remote.js';

export interface GitSpec {
  url: string;
  target: string;
  rev?: string;
  /** The local branch to have checked out; unset: the remote branch's own name, or detached for a tag or commit. */
  branch?: string;
  forceReset: boolean;
  user?: string;
  depth?: number;
  identity?: string;
  timeoutMs: number;
}

const REFUSED: Record<string, string> = {
  force_clone: 'brine does not delete a directory to clone into it: remove it first (file.absent)',
  force_checkout: 'local changes are discarded only with force_reset: true',
  force_fetch: 'brine never fetches with force into a branch: with force_reset: true the checkout is reset to the remote commit',
  submodules: 'submodules are not checked out by brine',
  bare: 'brine manages work trees only',
  mirror: 'brine manages work trees only',
  https_user: 'put credentials in a credential helper or ~/.netrc of the user, not in the state',
  https_pass: 'put credentials in a credential helper or ~/.netrc of the user, not in the state (a password never goes into a command line)',
  refspec_branch: 'brine fetches the branch, tag or commit `rev` names',
  refspec_tag: 'brine fetches the branch, tag or commit `rev` names',
  fetch_tags: 'brine fetches the branch, tag or commit `rev` names',
  sync_tags: 'brine fetches the branch, tag or commit `rev` names',
  update_head: 'brine always moves the checkout to the remote commit',
};

export function parseGit(a: Args): GitSpec {
  a.refuse(REFUSED);
  const url = a.name;
  if (!url || /\s/.test(url)) a.problem('name', `expected the repository URL, got ${JSON.stringify(url)}`);
  const target = a.required('target');
  if (target && !isAbsolute(target)) a.problem('target', `must be an absolute path, got ${JSON.stringify(target)}`);
  const rev = a.str('rev');
  const branch = a.str('branch');
  for (const [key, v] of [['rev', rev], ['branch', branch]] as const) {
    if (v !== undefined && (!/^[\w./-]+$/.test(v) || v.startsWith('-') || v.includes('..'))) a.problem(key, `not a usable ref name: ${JSON.stringify(v)}`);
  }
  const remote = a.str('remote');
  if (remote !== undefined && remote !== 'origin') a.problem('remote', 'not supported: the remote is always origin');
  const forceRaw = a.raw('force_reset');
  a.shape('force_reset', { type: 'boolean' });
  if (forceRaw !== undefined && typeof forceRaw !== 'boolean') a.problem('force_reset', `expected true or false, got ${JSON.stringify(forceRaw)} (Salt's remote-changes is not supported)`);
  const forceReset = forceRaw === true;
  const depth = a.int('depth');
  if (depth !== undefined && depth < 1) a.problem('depth', 'must be 1 or more');
  if (depth !== undefined && !forceReset) a.problem('depth', 'a shallow history cannot show that an update is a fast-forward: set force_reset: true with depth');
  if (depth !== undefined && rev !== undefined && /^[0-9a-f]{40}$/.test(rev)) a.problem('depth', 'a shallow clone may not hold a commit named by its id: give a branch or tag as rev');
  const identity = a.str('identity');
  if (identity !== undefined && !/^\/[\w./-]+$/.test(identity)) a.problem('identity', `expected the absolute path of a private key on the host, got ${JSON.stringify(identity)}`);
  return { url, target: target.replace(/(.)\/+$/, '$1'), rev, branch, forceReset, user: a.str('user'), depth, identity, timeoutMs: (a.int('timeout') ?? 600) * 1000 };
}

/** How git runs for this state: as its user (with their HOME), never prompting. */
interface Runner {
  argv(args: string[], inRepo?: boolean): string[];
  opts: RunOptions;
}

async function runner(host: HostView, spec: GitSpec): Promise<Runner> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  if (spec.user) {
    const u = (await readPasswd(host)).find((p) => p.name === spec.user);
    if (!u) throw new MissingError(`user '${spec.user}' does not exist`);
    env.HOME = u.home;
  }
  if (spec.identity) {
    if ((await host.stat(spec.identity))?.type !== 'file') throw new MissingError(`identity ${spec.identity} does not exist`);
    env.GIT_SSH_COMMAND = `ssh -i ${spec.identity} -o IdentitiesOnly=yes -o BatchMode=yes`;
  }
  return {
    argv: (args, inRepo = true) => {
      const git = ['git', ...(inRepo ? ['-c', `safe.directory=${spec.target}`, '-C', spec.target] : []), ...args];
      return spec.user ? ['runuser', '-u', spec.user, '--', ...git] : git;
    },
    opts: { env, cwd: '/', timeout: spec.timeoutMs },
  };
}

/** A git command that reads (plan) or, given the Host, changes (apply); its output, or an error naming it. */
async function git(host: HostView | Host, r: Runner, args: string[], inRepo = true): Promise<string> {
  const argv = r.argv(args, inRepo);
  const res = isHost(host) ? await host.exec(argv, r.opts) : await host.query(argv, r.opts);
  if (res.exitCode !== 0) throw new CommandError(argv, res);
  return res.stdout.trim();
}

const isHost = (h: HostView | Host): h is Host => typeof (h as Host).exec === 'function';

async function ok(host: HostView, r: Runner, args: string[]): Promise<boolean> {
  return (await host.query(r.argv(args), r.opts)).exitCode === 0;
}

const short = (sha: string) => sha.slice(0, 7);

/** Everything in the checkout is what git writes: later states reading it wait for the real run. */
const unknownTree = (spec: GitSpec, what: string) => async (o: Overlay) => o.unknown({ source: what, until: 'has run', paths: new Set([spec.target]), dirs: [spec.target] });

export const latest: ResourceFunction<GitSpec> = {
  parse: parseGit,

  async plan(spec, { host }) {
    const r = await runner(host, spec);
    const waiting = await awaitsUser(host, spec.user);
    if (waiting) return { changes: [], blocked: waiting };
    const want = resolveRev(parseLsRemote(await git(host, r, ['ls-remote', '--symref', '--', spec.url], false)), spec.rev);
    if (typeof want === 'string') throw new StateFailure(`${spec.url}: ${want}`);
    const branch = spec.branch ?? want.branch;
    const st = await host.stat(spec.target);
    if (st && st.type !== 'directory') throw new StateFailure(`${spec.target} exists and is a ${st.type}, not a directory`);
    if (!st || !((await host.readdir(spec.target)) ?? []).length) return { changes: [clone(spec, r, want, branch)] };
    if (!(await host.stat(`${spec.target}/.git`))) throw new StateFailure(`${spec.target} exists, is not empty and is not a git checkout (brine does not force_clone)`);
    return { ...(await update(host, spec, r, want, branch)) };
  },
};

function clone(spec: GitSpec, r: Runner, want: Target, branch: string | undefined): Change {
  const from = want.branch ?? (want.label.startsWith('tag ') ? want.label.slice(4) : undefined);
  return {
    summary: `clone ${spec.url} (${want.label}, ${short(want.sha)}) into ${spec.target}${branch && branch !== want.branch ? ` on branch ${branch}` : ''}`,
    detail: { revision: { old: null, new: want.sha } },
    async apply(h) {
      const depth = spec.depth ? ['--depth', String(spec.depth)] : [];
      await git(h, r, ['clone', '-q', ...depth, ...(from ? ['--branch', from] : []), '--', spec.url, spec.target], false);
      // Exactly the commit planned, even if the remote moved since.
      await git(h, r, ['checkout', '-q', ...(branch ? ['-B', branch] : ['--detach']), want.sha]);
    },
    predict: unknownTree(spec, `the clone of ${spec.url}`),
  };
}

async function update(host: HostView, spec: GitSpec, r: Runner, want: Target, branch: string | undefined) {
  const changes: Change[] = [];
  const origin = (await host.query(r.argv(['config', '--get', 'remote.origin.url']), r.opts)).stdout.trim();
  if (origin !== spec.url) {
    const args = origin ? ['remote', 'set-url', 'origin', spec.url] : ['remote', 'add', 'origin', spec.url];
    changes.push({
      summary: origin ? `origin ${origin} → ${spec.url}` : `add origin ${spec.url}`,
      detail: { origin: { old: origin || null, new: spec.url } },
      apply: async (h) => void (await git(h, r, args)),
      predict: async () => {},
    });
  }
  const [head, current] = (await git(host, r, ['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'])).split('\n');
  const dirty = (await git(host, r, ['status', '--porcelain', '--untracked-files=no'])) !== '';
  const onBranch = !branch || current === branch;
  if (head === want.sha && onBranch) {
    if (!dirty) return { changes };
    if (!spec.forceReset) return { changes, comment: `local changes in ${spec.target} left as they are (force_reset not set)` };
    changes.push({
      summary: `discard local changes in ${spec.target} (force_reset)`,
      apply: async (h) => void (await git(h, r, ['reset', '-q', '--hard', want.sha])),
      predict: unknownTree(spec, `the reset of ${spec.target}`),
    });
    return { changes };
  }
  const moving = head !== want.sha;
  if (dirty && moving && !spec.forceReset) throw new StateFailure(`${spec.target} has local changes (git status): set force_reset: true to discard them`);
  // With the commit already here, the fast-forward check is made now (in --test too); else after fetching.
  const known = await ok(host, r, ['cat-file', '-e', `${want.sha}^{commit}`]);
  const ff = (h: HostView) => ok(h, r, ['merge-base', '--is-ancestor', 'HEAD', want.sha]);
  const refuse = () => new StateFailure(`${spec.target}: ${short(head)} is not an ancestor of ${short(want.sha)} (${want.label}), so the update is not a fast-forward: set force_reset: true to reset to it`);
  if (known && moving && !spec.forceReset && !(await ff(host))) throw refuse();
  const move = moving ? `update ${spec.target}: ${short(head)} → ${short(want.sha)} (${want.label})` : `check out branch ${branch} at ${short(want.sha)}`;
  const how = spec.forceReset && (dirty || moving) ? ' (force_reset)' : moving && !known ? ' (fetch, fast-forward only)' : '';
  changes.push({
    summary: move + how,
    detail: { revision: { old: head, new: want.sha }, ...(branch ? { branch: { old: current, new: branch } } : {}) },
    async apply(h) {
      if (!known) {
        const depth = spec.depth ? ['--depth', String(spec.depth)] : [];
        await git(h, r, ['fetch', '-q', ...depth, 'origin', ...refspec(want)]);
        if (!(await ok(h, r, ['cat-file', '-e', `${want.sha}^{commit}`]))) throw new StateFailure(`${spec.url}: commit ${want.sha} not found after fetching`);
        if (!spec.forceReset && !(await ff(h))) throw refuse();
      }
      const force = spec.forceReset ? ['-f'] : [];
      // Checked clean above, or force_reset: nothing local is carried over or lost unasked.
      await git(h, r, ['checkout', '-q', ...force, ...(branch ? ['-B', branch] : ['--detach']), want.sha]);
    },
    predict: unknownTree(spec, `the update of ${spec.target}`),
  });
  return { changes };
}

/** What to fetch for the wanted commit: its branch or tag; a bare commit id, with every branch. */
function refspec(want: Target): string[] {
  if (want.branch) return [`+refs/heads/${want.branch}:refs/remotes/origin/${want.branch}`];
  if (want.label.startsWith('tag ')) return [`+refs/tags/${want.label.slice(4)}:refs/tags/${want.label.slice(4)}`];
  return [];
}
