// known_hosts lines: plain (`host,alias type key`) or hashed (`|1|salt|hmac type key`), as
// OpenSSH writes them; a non-22 port is written `[host]:port`.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface HostKey {
  type: string;
  base64: string;
}

/** How the host is written in known_hosts for this port. */
export const hostPattern = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

/** Does the first field of a known_hosts line name this host (plainly, or hashed)? */
export function namesHost(field: string, pattern: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    return !!salt && !!hash && createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64') === hash;
  }
  return field.split(',').includes(pattern);
}

export function hashedField(pattern: string, salt = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(pattern).digest('base64')}`;
}

/** OpenSSH's SHA256 fingerprint (`SHA256:…`, no padding) of a key's base64. */
export const fingerprint = (k: HostKey) => `SHA256:${createHash('sha256').update(Buffer.from(k.base64, 'base64')).digest('base64').replace(/=+$/, '')}`;

/**
 * The file with exactly one line for this host and key type, holding `key`: a line with another
 * key of that type for the host is replaced, one with the same key is kept as written.
 */
export function editKnownHosts(text: string, pattern: string, key: HostKey, line: () => string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let kept = false;
  const out = lines.filter((l) => {
    const [field, type, base64] = l.trim().split(/\s+/);
    if (!field || field.startsWith('#') || field.startsWith('@') || type !== key.type || !namesHost(field, pattern)) return true;
    if (base64 === key.base64 && !kept) return (kept = true);
    return false;
  });
  if (!kept) out.push(line());
  return out.join('\n') + '\n';
}
