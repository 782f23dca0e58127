// A project (path → text) run by the bundle on a test host: copy both over, apply with --json.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type { Report } from '../../src/apply/report-types.js';
import { diffFingerprints, formatDiff, isEmptyDiff, type TestHost } from '../harness/index.js';
import { BUNDLE } from '../cli/support.js';
import { makeProject } from '../support/project.js';
import { applyReport } from './stack-support.js';

const AGENT = '/opt/brine';
const PROJECT = '/root/project';

/** Copy the bundle and a project (path → text) onto the host, replacing the previous project. */
export async function deploy(host: TestHost, files: Record<string, string>, dir = makeProject(files)): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  await host.sshOk(['mkdir', '-p', AGENT]);
  await host.rsync(BUNDLE, `${AGENT}/brine.js`);
  await host.sshOk(['rm', '-rf', PROJECT]);
  await host.rsync(`${dir}/`, `${PROJECT}/`);
}

export function apply(host: TestHost, ...flags: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  return applyReport(host, ['node', `${AGENT}/brine.js`, 'apply', '--env', 'test', '--dir', PROJECT, '--json', ...flags], 300_000);
}

/** `apply --test`, checking that it left the host exactly as it was. */
export async function dryRun(host: TestHost, ...flags: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const before = await host.fingerprint();
  const r = await apply(host, '--test', ...flags);
  const d = diffFingerprints(before, await host.fingerprint());
  expect(isEmptyDiff(d), formatDiff(d)).toBe(true);
  return r;
}

/** Each state as `id function`, its result and its changes' summaries. */
export const summaries = (r: Report) => r.states.map((s) => [`${s.id} ${s.function}`, s.result, ...s.changes.map((c) => c.summary)]);
