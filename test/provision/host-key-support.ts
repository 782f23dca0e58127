// Host keys for tests: real ones with the fingerprints ssh printed for them, and made-up keys
// of any type (a blob is its type name, length-prefixed, then key material).
import type { HostKey } from '../../src/provision/host-keys/known-hosts.js';

export const ED = { type: 'ssh-ed25519', blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIHWE3gmCx7IV4stOGXbDzcG6enKuDZ/m9WuvINKxgtrJ' };
export const ED_FP = 'SHA256:4Km9Cv5E8appYsqFUtHNDt0SXj8rkBLy7lawAoJUVAw';
export const EC = { type: 'ecdsa-sha2-nistp256', blob: 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFz8naZ1tii3aTzaVy5dLzh6i6ZQPH1sk4+DMmI2D8nCJevbntpVVLXo/tYZSruM6htSxqUr27RUrjWIHtDrB+M=' };
export const EC_FP = 'SHA256:oQ6a0jSJgHad3UmonoL8mBIpVp8nhS2jeki3j9iAadY';

export function fakeKey(type: string, seed: string): HostKey {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return { type, blob: Buffer.concat([len, Buffer.from(type), Buffer.from(seed)]).toString('base64') };
}

export const line = (name: string, k: HostKey) => `${name} ${k.type} ${k.blob}\n`;
