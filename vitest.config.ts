import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, recording fake host, local temp dirs) and
// `e2e` (real disposable Debian hosts; skipped loudly where root + nspawn are missing).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
