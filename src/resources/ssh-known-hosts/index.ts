// ssh_known_hosts.present / absent: a host's key in a user's known_hosts (or a system file), in
// Salt's arguments. Without `key`, the plan asks the host (ssh-keyscan) and, with `fingerprint`,
// accepts only that key.
import { dirname, isAbsolute, normalize } from 'node:path';
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import type { HostView } from '../../host/types.js';
import type { Change, ResourceFunction, ResourceKind } from '../resource.js';
import { accountName } from '../accounts/shared.js';
import { readPasswd } from '../accounts/passwd.js';
import { isKeyType } from '../ssh-auth/authorized-keys.js';
import { editKnownHosts, fingerprint, hashedField, hostPattern, namesHost, type HostKey } from './known-hosts.js';

interface KnownHostSpec {
  host: string;
  port: number;
  user?: string;
  config: string;
  enc: string;
  key?: string;
  fingerprint?: string;
  hash: boolean;
  timeout: number;
  absent: boolean;
}

function parse(a: Args, absent: boolean): KnownHostSpec {
  const host = a.name;
  if (!/^[A-Za-z0-9_.:-]+$/.test(host)) a.problem('name', `not a host name or address: ${JSON.stringify(host)}`);
  const user = a.has('user') ? accountName(a, 'user') : undefined;
  const config = a.str('config', user ? '.ssh/known_hosts' : '/etc/ssh/ssh_known_hosts');
  if (!user && !isAbsolute(config)) a.problem('config', 'without user, config must be an absolute path');
  if (/(^|\/)\.\.(\/|$)/.test(config)) a.problem('config', 'must not contain ..');
  const enc = a.str('enc', 'ssh-ed25519');
  if (!isKeyType(enc)) a.problem('enc', `unknown key type ${JSON.stringify(enc)}`);
  const key = absent ? undefined : a.str('key');
  if (key !== undefined && !/^[A-Za-z0-9+/]+=*$/.test(key)) a.problem('key', 'expected the base64 of the key (without type or comment)');
  const fp = absent ? undefined : a.str('fingerprint');
  if (fp !== undefined && !fp.startsWith('SHA256:')) a.problem('fingerprint', 'expected an OpenSSH SHA256 fingerprint (SHA256:…)');
  if (!absent && a.has('fingerprint_hash_type') && a.str('fingerprint_hash_type') !== 'sha256') a.problem('fingerprint_hash_type', 'only sha256 is supported');
  return { host, port: a.int('port') ?? 22, user, config, enc, key, fingerprint: fp, hash: absent ? false : a.bool('hash_known_hosts', true), timeout: a.int('timeout') ?? 5, absent };
}

async function target(spec: KnownHostSpec, host: HostView): Promise<{ path: string; uid: number; gid: number; home?: string }> {
  if (!spec.user) return { path: spec.config, uid: 0, gid: 0 };
  const u = (await readPasswd(host)).find((p) => p.name === spec.user);
  if (!u) throw new MissingError(`user '${spec.user}' does not exist`);
  return { path: normalize(isAbsolute(spec.config) ? spec.config : `${u.home}/${spec.config}`), uid: u.uid, gid: u.gid, home: u.home };
}

/** The key wanted: as given, or as the host offers it (checked against `fingerprint`). */
async function wantedKey(spec: KnownHostSpec, host: HostView): Promise<HostKey> {
  if (spec.key) return { type: spec.enc, base64: spec.key };
  const argv = ['ssh-keyscan', '-T', String(spec.timeout), '-t', spec.enc, '-p', String(spec.port), spec.host];
  const r = await host.query(argv);
  const line = r.stdout.split('\n').find((l) => l && !l.startsWith('#'));
  const [, type, base64] = line?.split(/\s+/) ?? [];
  if (!base64 || type !== spec.enc) throw new StateFailure(`ssh-keyscan got no ${spec.enc} key from ${spec.host}:${spec.port}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
  const key = { type, base64 };
  if (spec.fingerprint && fingerprint(key) !== spec.fingerprint) throw new StateFailure(`${spec.host} offers ${fingerprint(key)}, not the fingerprint ${spec.fingerprint}`);
  return key;
}

const fn = (absent: boolean): ResourceFunction<KnownHostSpec> => ({
  parse: (a) => parse(a, absent),
  async plan(spec, { host }) {
    const t = await target(spec, host);
    for (const p of t.home ? [dirname(t.path), t.path] : []) if ((await host.stat(p))?.type === 'symlink') throw new StateFailure(`${p} is a symlink; refusing to write through it`);
    const current = (await host.readFile(t.path)) ?? '';
    const pattern = hostPattern(spec.host, spec.port);
    let edit: (text: string) => string;
    if (absent) {
      edit = (text) => text.split('\n').filter((l) => !namesHost(l.trim().split(/\s+/)[0] ?? '', pattern) || l.trim().split(/\s+/)[1] !== spec.enc).join('\n');
    } else {
      const key = await wantedKey(spec, host);
      const line = () => `${spec.hash ? hashedField(pattern) : pattern} ${key.type} ${key.base64}`;
      edit = (text) => editKnownHosts(text, pattern, key, line);
    }
    const next = edit(current);
    if (next === current) return { changes: [] };
    const dirMissing = !(await host.stat(dirname(t.path)));
    if (dirMissing && !t.home) throw new MissingError(`directory ${dirname(t.path)} does not exist`);
    const had = current.split('\n').some((l) => {
      const [field, type] = l.trim().split(/\s+/);
      return type === spec.enc && !!field && namesHost(field, pattern);
    });
    const change: Change = {
      summary: `${absent ? 'remove' : had ? 'replace' : 'add'} ${spec.enc} key of ${pattern} ${absent ? 'from' : 'in'} ${t.path}`,
      diff: unifiedDiff(t.path, current || null, next),
      async apply(h) {
        if (!(await h.stat(dirname(t.path)))) await h.mkdir(dirname(t.path), { mode: 0o700, uid: t.uid, gid: t.gid });
        // Re-read and re-edit: a hashed line is made once, and other states' lines are kept.
        await h.writeFile(t.path, edit((await h.readFile(t.path)) ?? ''), { mode: 0o644, uid: t.uid, gid: t.gid });
      },
    };
    return { changes: [change] };
  },
});

export const sshKnownHosts: ResourceKind = { present: fn(false), absent: fn(true) };
