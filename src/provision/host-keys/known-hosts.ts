// known_hosts files as ssh reads them (plain or hashed host names, patterns, markers) and
// SHA256 fingerprints as `ssh-keygen -l` and cloud consoles print them.
import { createHash, createHmac } from 'node:crypto';

/** A public host key: its type as ssh writes it (`ssh-ed25519`) and the base64 blob. */
export interface HostKey {
  type: string;
  blob: string;
}

export interface KnownEntry extends HostKey {
  /** The file as read, and the 1-based line, for messages ("remove line 3 of …"). */
  file: string;
  line: number;
  /** The host field as written: `name`, `a,b`, `[h]:2222`, a pattern, or `|1|salt|hash`. */
  hosts: string;
  marker?: 'cert-authority' | 'revoked';
}

/** `SHA256:…`, base64 without padding: what `ssh-keygen -l` prints. */
export function fingerprint(blob: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '');
}

/** The key's family as ssh names it in messages: ED25519, ECDSA, RSA. */
export function keyFamily(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  if (type === 'ssh-dss') return 'DSA';
  return type;
}

/** `ED25519 SHA256:…` */
export function describeKey(k: HostKey): string {
  return `${keyFamily(k.type).padEnd(7)} ${fingerprint(k.blob)}`;
}

/** The name ssh looks a host up by: the host, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownEntry[] {
  const out: KnownEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const words = raw.trim().split(/\s+/);
    if (!words[0] || words[0].startsWith('#')) return;
    let marker: KnownEntry['marker'];
    if (words[0] === '@cert-authority' || words[0] === '@revoked') marker = words.shift()!.slice(1) as KnownEntry['marker'];
    const [hosts, type, blob] = words;
    if (!hosts || !type || !blob || !blobIsOfType(blob, type)) return;
    out.push({ file, line: i + 1, hosts, type, blob, ...(marker ? { marker } : {}) });
  });
  return out;
}

/** A key blob starts with its own type name (a length-prefixed string): junk lines are not keys. */
function blobIsOfType(blob: string, type: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return false;
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4) return false;
  const n = bytes.readUInt32BE(0);
  return n === type.length && bytes.subarray(4, 4 + n).toString('latin1') === type;
}

/** Whether a known_hosts host field names `name` (hashed entries, `*`/`?` patterns, `!` negation). */
export function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatch(negated ? pattern.slice(1) : pattern, name.toLowerCase())) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/** The plain keys a host is known by (not CA or revoked lines). */
export function keysFor(entries: KnownEntry[], name: string): KnownEntry[] {
  return entries.filter((e) => !e.marker && hostMatches(e.hosts, name));
}

/** Whether anything in these entries vouches for the host (a key or a CA). */
export function isKnown(entries: KnownEntry[], name: string): boolean {
  return entries.some((e) => e.marker !== 'revoked' && hostMatches(e.hosts, name));
}

export const sameKey = (a: HostKey, b: HostKey) => a.type === b.type && a.blob === b.blob;

const HEADER =
  "# SSH host keys of this environment's hosts, verified once for the whole team (brine provision\n" +
  '# --accept-new or host_keys: in env.yaml, and kept up to date after runs). Commit this file.\n';

/**
 * The file with `name`'s own lines (those brine writes: exactly `name TYPE KEY`) replaced by
 * `keys`; every other line — comments, other hosts, hand-written patterns — kept as it is.
 */
export function withHostKeys(text: string | null, name: string, keys: HostKey[]): string {
  const kept = (text ?? HEADER).split('\n').filter((l) => {
    const [hosts, type, blob] = l.trim().split(/\s+/);
    return !(hosts === name && type && blob);
  });
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  return [...kept, ...keys.map((k) => `${name} ${k.type} ${k.blob}`)].join('\n') + '\n';
}
