// SCRAM-SHA-256 verifiers as PostgreSQL stores them (RFC 5802/7677): brine makes the verifier
// itself, so the password never reaches the server, a process's arguments or its stdin; and it
// checks a stored verifier against the declared password, so an unchanged password is no change.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096; // PostgreSQL's scram_iterations default

/** SASLprep's core for the passwords people use (NFKC); PostgreSQL does the same before hashing. */
const prep = (password: string) => password.normalize('NFKC');

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(prep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    stored: createHash('sha256').update(clientKey).digest(),
    server: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts, fresh salt. */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = ITERATIONS): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.stored.toString('base64')}:${k.server.toString('base64')}`;
}

/** True when `stored` is a SCRAM verifier of `password`; false for md5 hashes, other forms or none. */
export function verifies(stored: string | null, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(stored ?? '');
  if (!m) return false;
  const k = keys(password, Buffer.from(m[2], 'base64'), Number(m[1]));
  const storedKey = Buffer.from(m[3], 'base64');
  const serverKey = Buffer.from(m[4], 'base64');
  return storedKey.length === 32 && serverKey.length === 32 && timingSafeEqual(storedKey, k.stored) && timingSafeEqual(serverKey, k.server);
}
