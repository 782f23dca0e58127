// pkgrepo.managed / pkgrepo.absent: an apt repository in its own deb822 `.sources` file, its
// signing key in its own keyring file (Signed-By), then one `apt-get update` when either changed.
import { basename, isAbsolute } from 'node:path';
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { MissingError } from '../../core/errors.js';
import type { HostView } from '../../host/types.js';
import type { Change, ParseContext, ResourceFunction, ResourceKind } from '../resource.js';
import { aptUpdate } from '../pkg/apt.js';
import { parseRepoLine, toDeb822, type Repo } from './deb822.js';

interface RepoSpec {
  file: string;
  content: string;
  key?: { path: string; data: Buffer };
  refresh: boolean;
}

const DIR = '/etc/apt/sources.list.d';
const KEYRINGS = '/etc/apt/keyrings';

/** `file`: a `.sources` path (default: sources.list.d/ID.sources); `.list` would not be what brine writes. */
function sourcesFile(a: Args, id: string): string {
  const file = a.str('file') ?? `${DIR}/${id.replace(/[^A-Za-z0-9_.-]+/g, '-')}.sources`;
  if (!isAbsolute(file)) a.problem('file', `must be an absolute path, got ${JSON.stringify(file)}`);
  else if (!file.endsWith('.sources')) a.problem('file', `brine writes the repository in deb822 form: name a .sources file (e.g. ${file.replace(/\.list$/, '')}.sources)`);
  return file;
}

/** The key from `key_text` (armored) or `key_url` (a file in the state tree), and where it goes. */
function signingKey(a: Args, ctx: ParseContext, repo: Repo, file: string): RepoSpec['key'] {
  const text = a.str('key_text');
  const url = a.str('key_url');
  const signedby = a.str('signedby');
  if (text !== undefined && url !== undefined) a.problem('key_url', 'give key_text or key_url, not both');
  if (url !== undefined && !/^(salt|brine):\/\//.test(url)) a.problem('key_url', 'must be a file in the state tree (salt://…): brine does not download keys at apply time');
  const data = text !== undefined ? Buffer.from(text.endsWith('\n') ? text : `${text}\n`) : url !== undefined && /^(salt|brine):\/\//.test(url) ? ctx.loadSource(url, { render: false }) : undefined;
  const path = signedby ?? repo.signedBy;
  if (signedby && repo.signedBy && signedby !== repo.signedBy) a.problem('signedby', `the repository line says signed-by=${repo.signedBy}`);
  if (data === undefined) return undefined;
  if (typeof data === 'object' && !Buffer.isBuffer(data)) {
    a.problem('key_url', `the key file is ${data.size} bytes: not a signing key`);
    return undefined;
  }
  const armored = Buffer.from(data).subarray(0, 40).toString('latin1').includes('-----BEGIN PGP');
  const keyPath = path ?? `${KEYRINGS}/${basename(file, '.sources')}.${armored ? 'asc' : 'gpg'}`;
  if (!isAbsolute(keyPath)) a.problem('signedby', `must be an absolute path, got ${JSON.stringify(keyPath)}`);
  repo.signedBy = keyPath;
  return { path: keyPath, data: Buffer.from(data) };
}

async function planFile(host: HostView, path: string, want: Buffer, what: string): Promise<Change[]> {
  const st = await host.stat(path);
  const current = st ? await host.readBytes(path) : null;
  if (current?.equals(want) && st?.mode === 0o644) return [];
  if (!(await host.stat(path.slice(0, path.lastIndexOf('/')) || '/'))) throw new MissingError(`directory of ${path} does not exist`);
  return [
    {
      summary: current?.equals(want) ? `mode of ${path} → 0644` : `${current ? 'update' : 'create'} ${what} ${path}`,
      diff: current?.equals(want) ? undefined : unifiedDiff(path, current, want),
      apply: (h) => h.writeFile(path, want, { mode: 0o644, uid: 0, gid: 0 }),
    },
  ];
}

export const managed: ResourceFunction<RepoSpec> = {
  parse(a, ctx) {
    const parsed = parseRepoLine(a.name);
    if (typeof parsed === 'string') a.problem('name', parsed);
    // Every argument is read even when the line is wrong, so each problem is reported once.
    const repo = typeof parsed === 'string' ? { type: 'deb' as const, uri: '', suite: '', components: [] } : parsed;
    const file = sourcesFile(a, ctx.decl.id);
    const key = signingKey(a, ctx, repo, file);
    return { file, key, content: toDeb822(repo, a.str('humanname')), refresh: a.bool('refresh', true) };
  },
  async plan(spec, { host, varDir }) {
    const changes = [...(spec.key ? await planFile(host, spec.key.path, spec.key.data, 'signing key') : []), ...(await planFile(host, spec.file, Buffer.from(spec.content), 'repository'))];
    if (changes.length && spec.refresh) {
      changes.push({ summary: 'refresh package lists (repository changed)', converges: false, apply: (h) => aptUpdate(h, varDir) });
    }
    return { changes };
  },
};

export const absent: ResourceFunction<{ file: string }> = {
  parse: (a, ctx) => ({ file: sourcesFile(a, ctx.decl.id) }),
  async plan(spec, { host }) {
    if (!(await host.stat(spec.file))) return { changes: [] };
    return { changes: [{ summary: `remove ${spec.file}`, apply: (h) => h.remove(spec.file) }] };
  },
};

export const pkgrepo: ResourceKind = { managed, absent };
