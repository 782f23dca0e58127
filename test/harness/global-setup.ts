// vitest globalSetup of the e2e project: once per run, install host tools, sweep leftovers
// and build/verify the rootfs caches (full, bare, and bare for Debian 13), so test files only boot hosts.
import type { TestProject } from 'vitest/node';
import './context.js';
import { bare, bareTrixie, full } from './flavours.js';
import { ensureRootfs } from './rootfs.js';
import { checkSupport, skipBanner } from './support.js';
import { sweepStale } from './sweep.js';
import { ensureHostTools } from './tools.js';

const log = (msg: string) => process.stderr.write(`[testhost] ${msg}\n`);

export default async function setup(project: TestProject): Promise<void> {
  const support = await checkSupport();
  if (!support.ok) {
    console.warn(skipBanner(support.reason ?? 'unsupported'));
    project.provide('testhost', { supported: false, reason: support.reason });
    return;
  }
  const t0 = Date.now();
  await ensureHostTools(log);
  await sweepStale(log);
  const results = await Promise.allSettled([full, bare, bareTrixie].map((f) => ensureRootfs(f, log)));
  for (const r of results) {
    if (r.status === 'rejected') throw r.reason;
    const what = r.value.built ? 'built' : r.value.extracted ? 'extracted' : 'cached';
    log(`rootfs ${r.value.flavour.name}: ${what} in ${(r.value.ms / 1000).toFixed(1)} s`);
  }
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  project.provide('testhost', { supported: true });
}
