// Vitest glue for e2e files: `describeHosts` (skipped loudly where hosts cannot run) and
// `useHosts(n, {flavour})`, which boots hosts in beforeAll and tears them down in afterAll.
import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { HostRun, StartOptions } from './run.js';
import { startHosts } from './run.js';
import { skipBanner } from './support.js';
import type { TestHost } from './test-host.js';
import './context.js';

export function hostsSupported(): boolean {
  return inject('testhost')?.supported ?? false;
}

/** `describe` for tests that need test hosts; skipped with a banner where they cannot run. */
export function describeHosts(name: string, fn: () => void): void {
  const ctx = inject('testhost');
  if (!ctx?.supported) console.warn(skipBanner(ctx?.reason ?? 'the e2e globalSetup did not run'));
  describe.skipIf(!ctx?.supported)(name, fn);
}

export interface HostsHandle {
  /** The hosts, available from beforeAll on. */
  readonly hosts: TestHost[];
  readonly run: HostRun;
}

/** Boots `count` hosts for the enclosing describe block and tears them down after it. */
export function useHosts(count: number, opts: StartOptions = {}): HostsHandle {
  let run: HostRun | undefined;
  beforeAll(async () => {
    run = await startHosts(count, opts);
  }, 180_000);
  afterAll(async () => {
    await run?.teardown();
  }, 120_000);
  const get = (): HostRun => {
    if (!run) throw new Error('useHosts: hosts are only available inside tests (after beforeAll)');
    return run;
  };
  return {
    get hosts() {
      return get().hosts;
    },
    get run() {
      return get();
    },
  };
}
