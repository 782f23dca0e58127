import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, recording fake host, local temp dirs) and
// `e2e` (real disposable Debian hosts; skipped loudly where root + nspawn are missing).
// Unit runs first (groupOrder). At most two test files at a time (a root-only option):
// CI machines have 2 cores and a host takes ~140 MiB. Both run in a private TMPDIR that must be
// empty at the end (test/support/tmp-check.ts): every test removes its temporary files.
export default defineConfig({
  test: {
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          globalSetup: ['test/support/tmp-check.ts'],
          setupFiles: ['test/support/cleanup.ts'],
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/tmp-check.ts', 'test/harness/global-setup.ts'],
          setupFiles: ['test/support/cleanup.ts'],
          testTimeout: 180_000,
          // A hook may build a flavour's rootfs on first use (bench, salt: a few minutes on a loaded machine).
          hookTimeout: 900_000,
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
