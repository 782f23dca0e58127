// `brine provision` of 1, 5, 20… hosts in parallel, timed on the controller. All hosts boot
// first (slow on 2 cores, and not what is measured); each size gets its own fresh hosts for one
// first provision, then sizes take turns re-provisioning (hosts already converged).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { HostRun, type TestHost } from '../test/harness/index.js';
import type { BenchOptions } from './options.js';
import type { Log } from './rounds.js';
import type { BenchResults } from './results.js';
import { remoteCommand } from '../test/harness/ssh.js';
import { ENV, ROLES } from './tools.js';

/** Hosts booted at once: 20 simultaneous boots on 2 cores run into the harness's boot timeout. */
const BOOT_BATCH = 5;

/** A copy of the staged project whose env pillar lists these hosts (provision reads them there). */
export function provisionProject(stagedProject: string, addresses: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-provision-'));
  cpSync(stagedProject, dir, { recursive: true });
  const envFile = join(dir, 'pillar', ENV, 'env.yaml');
  const doc = parseDocument(readFileSync(envFile, 'utf8'));
  doc.set('hosts', addresses.map((address) => ({ address, roles: ROLES })));
  writeFileSync(envFile, doc.toString());
  return dir;
}

export function provisionArgv(bundle: string, project: string, sshConfig: string, addresses: string[]): string[] {
  return [bundle, 'provision', ENV, '--dir', project, '-F', sshConfig, '-u', 'root', '--parallel', String(addresses.length), '--json', '-H', addresses.join(',')];
}

interface ProvisionDoc {
  exitCode: number;
  summary: { hosts: number; ok: number; changed: number; failed: number; unreachable: number };
}

/**
 * CPU seconds this machine has spent so far, all cores and every process: the controller, ssh,
 * and the test hosts (containers share this kernel). Only differences mean anything.
 */
export function machineCpuSeconds(stat = readFileSync('/proc/stat', 'utf8')): number {
  // cpu  user nice system idle iowait irq softirq steal …, in USER_HZ (100 on Linux).
  const f = stat.split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6]) / 100;
}

interface Timed {
  wall: number;
  /** Machine CPU seconds during the run (see machineCpuSeconds). */
  cpu: number;
}

async function timeProvision(argv: string[], n: number, first: boolean): Promise<Timed> {
  const c0 = machineCpuSeconds();
  const t0 = performance.now();
  const r = await execa('node', argv, { reject: false, env: { NO_COLOR: '1' } });
  const s = (performance.now() - t0) / 1000;
  const cpu = machineCpuSeconds() - c0;
  let doc: ProvisionDoc | undefined;
  try {
    doc = JSON.parse(r.stdout) as ProvisionDoc;
  } catch {
    // reported below
  }
  const sum = doc?.summary;
  const ok = doc && doc.exitCode === 0 && sum!.hosts === n && !sum!.failed && !sum!.unreachable && (first ? sum!.changed === n : sum!.changed === 0);
  if (!ok) throw new Error(`brine provision of ${n} host(s) (${first ? 'first' : 'again'}) did not do what it should (exit ${r.exitCode}):\n${JSON.stringify(sum)}\n${r.stderr.slice(-3000)}`);
  return { wall: s, cpu };
}

/** In a run of its own: its hosts are another flavour (other host keys) on addresses the rounds used. */
export async function provisionRounds(o: BenchOptions, bundle: string, stagedProject: string, log: Log): Promise<NonNullable<BenchResults['provision']>> {
  const run = await HostRun.create();
  try {
    return await provisionIn(run, o, bundle, stagedProject, log);
  } finally {
    await run.teardown();
  }
}

async function provisionIn(run: HostRun, o: BenchOptions, bundle: string, stagedProject: string, log: Log): Promise<NonNullable<BenchResults['provision']>> {
  const sizes = o.provision;
  const groups: TestHost[][] = [];
  log(`provision: booting ${sizes.reduce((a, b) => a + b, 0)} hosts (flavour full), ${BOOT_BATCH} at a time`);
  for (const n of sizes) {
    const group: TestHost[] = [];
    for (let left = n; left > 0; left -= BOOT_BATCH) group.push(...(await run.start(Math.min(BOOT_BATCH, left), { flavour: 'full', log })));
    groups.push(group);
  }
  const all = groups.flat();
  const project = provisionProject(stagedProject, all.map((h) => h.address));
  try {
    return await timeAll(o, groups, (hosts) => provisionArgv(bundle, project, run.sshConfigFile, hosts.map((h) => h.address)), log);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** One first provision per size (its own fresh hosts), then re-provisions of the first n hosts. */
async function timeAll(o: BenchOptions, groups: TestHost[][], argvFor: (hosts: TestHost[]) => string[], log: Log): Promise<NonNullable<BenchResults['provision']>> {
  const sizes = o.provision;
  const all = groups.flat();

  const first: Record<string, number> = {};
  for (const [i, n] of sizes.entries()) {
    first[n] = (await timeProvision(argvFor(groups[i]), n, true)).wall;
    log(`  first provision of ${n}: ${first[n].toFixed(2)} s`);
  }
  // Re-provision the first n of all hosts, sizes in turn (rotated) so noise hits them alike.
  const again: Record<string, number[]> = Object.fromEntries(sizes.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(sizes.map((n) => [n, []]));
  for (let r = 0; r < o.provisionRuns; r++) {
    for (const n of [...sizes.slice(r % sizes.length), ...sizes.slice(0, r % sizes.length)]) {
      const t = await timeProvision(argvFor(all.slice(0, n)), n, false);
      again[n].push(t.wall);
      cpu[n].push(t.cpu);
      if (o.verbose) log(`  re-provision of ${n}: ${t.wall.toFixed(2)} s, machine CPU ${t.cpu.toFixed(2)} s`);
    }
  }
  // The command as run, with the per-run paths and addresses named.
  const command = remoteCommand(['node', 'dist/brine.js', ...provisionArgv('', 'PROJECT', 'SSH_CONFIG', ['ADDR1', 'ADDRN']).slice(1)])
    .replace('--parallel 2', '--parallel N')
    .concat(' (PROJECT: a copy of the project whose pillar/staging/env.yaml lists the hosts with roles [web])');
  return { command, first, again, cpu };
}
