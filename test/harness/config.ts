// Where the test-host harness keeps its cache and runtime state, and its tunables.
// Everything lives outside the repo; override with BRINE_TESTHOST_CACHE / BRINE_TESTHOST_RUN.
import { join } from 'node:path';

/** Cached rootfs tars and their extracted trees (survives runs; safe to delete). */
export const cacheDir = process.env.BRINE_TESTHOST_CACHE ?? '/var/cache/brine-testhost';

/** Runtime root: per-run dirs (overlays, keys, logs) and per-address lock files. */
export const runRoot = process.env.BRINE_TESTHOST_RUN ?? '/var/tmp/brine-testhost';

export const runsDir = join(runRoot, 'runs');
export const locksDir = join(runRoot, 'locks');

/** Hosts get 10.231.N.2/30 with the bridge thN-br at 10.231.N.1; N is 1..MAX_INDEX. */
export const SUBNET_PREFIX = '10.231';
export const MAX_INDEX = 254;

/** Marks bridges we create (ip link alias), so the stale sweep deletes only ours. */
export const BRIDGE_ALIAS = 'brine-testhost';

export const timeouts = {
  /** Boot (nspawn start) until `ssh true` answers. */
  bootMs: Number(process.env.BRINE_TESTHOST_BOOT_TIMEOUT_MS ?? 90_000),
  /** Clean shutdown after SIGTERM before we SIGKILL the container. */
  stopMs: Number(process.env.BRINE_TESTHOST_STOP_TIMEOUT_MS ?? 8_000),
  /** Default for one command over SSH. */
  sshMs: 300_000,
};
