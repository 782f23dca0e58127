// ssh_auth.present / absent / manage: keys in a user's authorized_keys, matched by type and key
// (not comment). manage (or present with exclusive: true) leaves exactly the listed keys. Salt's
// enc, options and comment complete keys that leave those parts out.
import { dirname, isAbsolute, normalize } from 'node:path';
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import type { Change, PlanContext, ResourceFunction, ResourceKind } from '../resource.js';
import { readPasswd } from '../accounts/passwd.js';
import {
  checkComment,
  checkOption,
  formatKeyLine,
  isKeyType,
  joinLines,
  keyFromState,
  keyId,
  normalComment,
  parseKeysFile,
  unknownKeyType,
  type KeyDefaults,
  type KeyLine,
} from './authorized-keys.js';
import type { FileStat, FileWriter, HostView } from '../../host/types.js';
import { accountName } from '../accounts/shared.js';
import { octal } from '../file/ownership.js';

type Mode = 'present' | 'absent' | 'manage';

export interface SshAuthSpec {
  user: string;
  mode: Mode;
  keys: KeyLine[];
  /** Salt's `config`: relative to the home directory unless absolute; %h and %u expand. */
  config: string;
}

function parseKeys(a: Args, key: string, lines: string[], defaults: KeyDefaults): KeyLine[] {
  const keys: KeyLine[] = [];
  lines.forEach((line, i) => {
    const where = lines.length > 1 || key !== 'name' ? `key ${i + 1}: ` : '';
    const k = keyFromState(line, defaults);
    if (Array.isArray(k)) return k.forEach((p) => a.problem(key, where + p));
    if (keys.some((o) => keyId(o) === keyId(k))) return a.problem(key, `${where}the same key is listed twice`);
    keys.push(k);
  });
  return keys;
}

// Salt's documentation offers these for enc; brine wants the type as OpenSSH writes it.
const SALT_SHORT: Record<string, string> = {
  rsa: 'ssh-rsa',
  dsa: 'ssh-dss',
  dss: 'ssh-dss',
  ed25519: 'ssh-ed25519',
  ecdsa: 'ecdsa-sha2-nistp256 (or -nistp384, -nistp521)',
};

/** Salt's enc, options and comment: what keys that leave those parts out get. */
function parseDefaults(a: Args): KeyDefaults {
  const enc = a.str('enc');
  const encOk = enc !== undefined && isKeyType(enc);
  if (enc !== undefined && !encOk) {
    const short = SALT_SHORT[enc.toLowerCase()];
    a.problem('enc', short ? `${JSON.stringify(enc)} is Salt's short name: write ${short}` : unknownKeyType(enc));
  }
  const options = a.strList('options') ?? [];
  const bad = options.map(checkOption);
  bad.forEach((p, i) => p && a.problem('options', `${options.length > 1 ? `option ${i + 1}: ` : ''}${p}`));
  const comment = a.str('comment') ?? '';
  const badComment = checkComment(comment);
  if (badComment) a.problem('comment', badComment);
  // A bad argument is reported once, here, not again for every key it would have completed.
  return {
    enc: enc === undefined ? undefined : encOk ? enc : null,
    options: bad.some(Boolean) ? undefined : options.join(','),
    comment: badComment ? undefined : normalComment(comment),
  };
}

function parseSpec(a: Args, mode: Mode): SshAuthSpec {
  const user = accountName(a, 'user');
  const config = a.str('config', '.ssh/authorized_keys');
  if (/(^|\/)\.\.(\/|$)/.test(config)) a.problem('config', 'must not contain ..');
  const defaults = parseDefaults(a);
  if (mode === 'manage') {
    if (!a.has('ssh_keys')) a.problem('ssh_keys', 'is required (an empty list removes every key)');
    return { user, mode, config, keys: parseKeys(a, 'ssh_keys', a.strList('ssh_keys') ?? [], defaults) };
  }
  const names = a.strList('names');
  if (names && a.has('name')) a.problem('names', 'give either name or names, not both');
  if (names && !names.length) a.problem('names', 'must list at least one key');
  const keys = names ? parseKeys(a, 'names', names, defaults) : parseKeys(a, 'name', [a.name], defaults);
  const exclusive = mode === 'present' && a.bool('exclusive', false);
  return { user, mode: exclusive ? 'manage' : mode, config, keys };
}

/** The file as it should be, given what is in it now (pure: also re-run at apply time). */
export function editKeys(spec: SshAuthSpec, text: string): string {
  if (spec.mode === 'manage') return joinLines(spec.keys.map(formatKeyLine));
  const wanted = new Map(spec.keys.map((k) => [keyId(k), k]));
  const lines = parseKeysFile(text);
  if (spec.mode === 'absent') return joinLines(lines.filter((l) => !(l.key && wanted.has(keyId(l.key)))).map((l) => l.raw));
  const found = new Set<string>();
  const out = lines.map(({ raw, key }) => {
    const want = key && wanted.get(keyId(key));
    if (!key || !want) return raw;
    found.add(keyId(key));
    // Same options and comment: keep the line byte for byte (spacing included).
    return want.options === key.options && want.comment === key.comment ? raw : formatKeyLine(want);
  });
  return joinLines([...out, ...spec.keys.filter((k) => !found.has(keyId(k))).map(formatKeyLine)]);
}

function keyCounts(before: string, after: string): string {
  const ids = (t: string) => new Set(parseKeysFile(t).flatMap((l) => (l.key ? [keyId(l.key)] : [])));
  const [a, b] = [ids(before), ids(after)];
  const added = [...b].filter((k) => !a.has(k)).length;
  const removed = [...a].filter((k) => !b.has(k)).length;
  const parts = [added ? `+${added} key${added > 1 ? 's' : ''}` : '', removed ? `-${removed} key${removed > 1 ? 's' : ''}` : ''];
  return parts.filter(Boolean).join(', ') || 'options or comments';
}

type Write = (h: FileWriter) => Promise<void>;
/** Both the change and its prediction: the write re-checked for symlinks first. */
type Guard = (write: Write) => { apply: Write; predict: Write };

/** The owner and mode sshd's StrictModes wants; fixes for what differs. */
function ownership(path: string, st: FileStat, mode: number, uid: number, gid: number, safely: Guard): Change[] {
  const changes: Change[] = [];
  if (st.uid !== uid || st.gid !== gid) changes.push({ summary: `owner of ${path} ${st.uid}:${st.gid} → ${uid}:${gid}`, ...safely((h) => h.chown(path, uid, gid)) });
  if (st.mode !== mode) changes.push({ summary: `mode of ${path} ${octal(st.mode)} → ${octal(mode)}`, ...safely((h) => h.chmod(path, mode)) });
  return changes;
}

async function plan(spec: SshAuthSpec, { host }: PlanContext) {
  const user = (await readPasswd(host)).find((u) => u.name === spec.user);
  if (!user && spec.mode === 'absent') return { changes: [], comment: `user ${spec.user} does not exist` };
  if (!user) throw missingUser(spec);
  const path = keysPath(spec.config, user.home, user.name);
  const dir = dirname(path);
  const { uid, gid } = user;

  await refuseSymlinks(host, user.home, path);
  const [dst, fst] = [await host.stat(dir), await host.stat(path)];
  if (dst && dst.type !== 'directory') throw new StateFailure(`${dir} is a ${dst.type}, not a directory`);
  if (fst && fst.type !== 'file') throw new StateFailure(`${path} is a ${fst.type}, not a file`);
  const current = fst ? ((await host.readFile(path)) ?? '') : null;
  if (current === null && spec.mode === 'absent') return { changes: [] };
  const next = editKeys(spec, current ?? '');
  // Each write re-checks first: the user may swap a directory for a symlink after the plan.
  const safely: Guard = (write) => {
    const checked = async (h: FileWriter) => {
      await refuseSymlinks(h, user.home, path);
      await write(h);
    };
    return { apply: checked, predict: checked };
  };

  const changes: Change[] = [];
  const sshDir = dir === normalize(`${user.home}/.ssh`);
  if (!dst) {
    if (!sshDir) throw new MissingError(`directory ${dir} does not exist`);
    if (!(await host.stat(user.home))) throw new MissingError(`home directory ${user.home} of user '${user.name}' does not exist`);
    changes.push({ summary: `create ${dir} (mode 0700)`, ...safely((h) => h.mkdir(dir, { mode: 0o700, uid, gid })) });
  } else if (sshDir && spec.mode !== 'absent') changes.push(...ownership(dir, dst, 0o700, uid, gid, safely));

  if (next !== current) {
    changes.push({
      summary: `${current === null ? 'create' : 'update'} ${path} (${keyCounts(current ?? '', next)})`,
      diff: unifiedDiff(path, current, next),
      ...safely(async (h) => {
        const fresh = await h.readFile(path);
        await h.writeFile(path, editKeys(spec, fresh ?? ''), { mode: 0o600, uid, gid });
      }),
    });
  } else if (fst && spec.mode !== 'absent') changes.push(...ownership(path, fst, 0o600, uid, gid, safely));
  return { changes };
}

/**
 * Root writing through a symlink the user planted (~/.ssh → /root/.ssh) would hand the user
 * someone else's login: no link is allowed from the home directory down to the file.
 */
async function refuseSymlinks(host: HostView, home: string, path: string): Promise<void> {
  const base = home.replace(/\/+$/, '');
  const below = path.startsWith(base + '/') ? path.slice(base.length + 1).split('/') : undefined;
  const checks = below ? below.map((_, i) => `${base}/${below.slice(0, i + 1).join('/')}`) : [dirname(path), path];
  for (const p of checks) {
    const st = await host.stat(p);
    if (st?.type === 'symlink') throw new StateFailure(`${p} is a symlink; refusing to write through it`);
  }
}

function keysPath(config: string, home: string, name: string): string {
  const expanded = config.replace(/%h/g, home).replace(/%u/g, name);
  return normalize(isAbsolute(expanded) ? expanded : `${home}/${expanded}`);
}

const missingUser = (spec: SshAuthSpec) => new MissingError(`user '${spec.user}' does not exist`);

// `names` is a list of keys for one file here, read by the state itself.
const fn = (mode: Mode): ResourceFunction<SshAuthSpec> => ({ parse: (a) => parseSpec(a, mode), plan, ownNames: true });

export const sshAuth: ResourceKind = { present: fn('present'), absent: fn('absent'), manage: fn('manage') };
