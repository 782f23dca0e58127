// What `git ls-remote --symref URL` says about a remote, and which commit a `rev` names there:
// read without fetching anything, so --test can say "A → B" and leave the checkout alone.

export interface RemoteRefs {
  /** refs/heads/main → sha; tags peeled (`v1^{}`) where the remote gives it. */
  refs: Map<string, string>;
  /** The remote's default branch (what HEAD points at), when it says. */
  head?: string;
  headSha?: string;
}

export function parseLsRemote(text: string): RemoteRefs {
  const refs = new Map<string, string>();
  let head: string | undefined;
  let headSha: string | undefined;
  for (const line of text.split('\n')) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) head = sym[1];
    const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line);
    if (!m) continue;
    if (m[2] === 'HEAD') headSha = m[1];
    else refs.set(m[2], m[1]);
  }
  return { refs, head, headSha };
}

export interface Target {
  sha: string;
  /** The remote branch it is, if a branch (the local branch a clone makes). */
  branch?: string;
  /** How the report names it: "main", "tag v1.2", "commit 1a2b3c4". */
  label: string;
}

/** The commit `rev` names on the remote (unset: its HEAD); a string saying why not, otherwise. */
export function resolveRev(remote: RemoteRefs, rev: string | undefined): Target | string {
  if (rev === undefined || rev === 'HEAD') {
    if (!remote.headSha) return 'the remote has no HEAD (an empty repository?)';
    return { sha: remote.headSha, branch: remote.head, label: remote.head ?? 'HEAD' };
  }
  const name = rev.replace(/^refs\/(heads|tags)\//, '');
  const branch = remote.refs.get(`refs/heads/${name}`);
  if (branch && !rev.startsWith('refs/tags/')) return { sha: branch, branch: name, label: name };
  const tag = remote.refs.get(`refs/tags/${name}^{}`) ?? remote.refs.get(`refs/tags/${name}`);
  if (tag) return { sha: tag, label: `tag ${name}` };
  if (/^[0-9a-f]{40}$/.test(rev)) return { sha: rev, label: `commit ${rev.slice(0, 7)}` };
  return `no branch or tag ${JSON.stringify(rev)} on the remote (a commit must be given as its full 40-digit id)`;
}
