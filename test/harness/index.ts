// The test-host harness's public surface: start disposable Debian hosts, talk to them, diff
// their state. See test/harness/README.md for how it works and what it needs.
export { startHosts, withHosts, HostRun, type StartOptions } from './run.js';
export { TestHost } from './test-host.js';
export { full, bare, fullTrixie, bareTrixie, bareOf, RELEASES, defineFlavour, flavour, type Flavour } from './flavours.js';
export { ensureRootfs, rootfsPaths } from './rootfs.js';
export { ensureHostTools } from './tools.js';
export { sweepStale } from './sweep.js';
export { diffFingerprints, formatDiff, isEmptyDiff, type Fingerprint, type FingerprintDiff } from './fingerprint.js';
export type { SshResult, SshOptions } from './ssh.js';
