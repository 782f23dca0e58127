// The timed rounds: each boots one fresh host per tool and runs, interleaved, first converge,
// no-op re-run and dry run; then an extra round for memory (process tree sampled) and counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostRun, TestHost } from '../test/harness/index.js';
import { compareWithBrine } from './equivalence.js';
import { bench, benchBare } from './flavour.js';
import { HOST_PHASES, PHASES, type BenchOptions, type Phase, type Tool } from './options.js';
import { countExecs, summarizeProfile, type CpuProfile } from './profile.js';
import { LOG_DIR, measure, prepare, type Sample } from './remote.js';
import type { BenchResults } from './results.js';
import { remoteCommand } from '../test/harness/ssh.js';
import { TOOL_SPECS } from './tools.js';

export type Log = (msg: string) => void;

/** Tools in the order round `r` runs them: rotated, so none always goes first. */
export function rotation<T>(tools: T[], r: number): T[] {
  const k = tools.length ? r % tools.length : 0;
  return [...tools.slice(k), ...tools.slice(0, k)];
}

const emptyByPhase = <T>(): Record<Phase, Partial<Record<Tool, T>>> => ({ converge: {}, noop: {}, dryrun: {}, converge_bare: {} });

type Timings = Pick<BenchResults, 'wall' | 'cpu' | 'memory' | 'processes' | 'equivalence' | 'commands' | 'profile'>;

/** Boots one fresh host per tool and puts the staged files on each. */
async function freshHosts(run: HostRun, tools: Tool[], staged: string, flavour = bench): Promise<Map<Tool, TestHost>> {
  const hosts = await run.start(tools.length, { flavour });
  await Promise.all(hosts.map((h) => prepare(h, staged)));
  return new Map(tools.map((t, i) => [t, hosts[i]]));
}

async function stopAll(hosts: Map<Tool, TestHost>): Promise<void> {
  await Promise.all([...hosts.values()].map((h) => h.stop()));
}

interface PhaseOptions {
  /** Poll the process tree's memory (costs CPU: not for timed runs). */
  sample?: boolean;
  /** Run the phase's command under something else (strace, node flags). */
  wrap?: (argv: string[]) => string[];
}

/** Runs one phase of one tool; a run that did not do what the phase means fails the bench. */
async function runPhase(host: TestHost, tool: Tool, phase: Phase, label: string, o: PhaseOptions = {}): Promise<Sample> {
  const argv = TOOL_SPECS[tool].commands[phase];
  const s = await measure(host, label, o.wrap ? o.wrap(argv) : argv, { sample: o.sample });
  const problem = TOOL_SPECS[tool].problem(phase, { exit: s.exit, stdout: s.stdout_tail });
  if (problem) {
    throw new Error(`${tool} ${phase} on ${host.name}: ${problem}\n(full output: ${LOG_DIR}/${label}.out on the host)\n${s.stdout_tail.slice(-2000)}${s.stderr_tail.slice(-1500)}`);
  }
  return s;
}

export const emptyTimings = (): Timings => ({ wall: emptyByPhase(), cpu: emptyByPhase(), memory: emptyByPhase(), processes: {}, equivalence: {}, commands: {} });

export async function timedRounds(run: HostRun, o: BenchOptions, staged: string, log: Log): Promise<Timings> {
  const t = emptyTimings();
  for (const tool of o.tools) t.commands[tool] = Object.fromEntries(PHASES.map((p) => [p, remoteCommand(TOOL_SPECS[tool].commands[p])])) as Record<Phase, string>;
  const rss = emptyByPhase<number[]>();

  for (let r = 0; r < o.warmup + o.runs; r++) {
    const timed = r >= o.warmup;
    const name = timed ? `round ${r - o.warmup + 1}/${o.runs}` : `warm-up ${r + 1}/${o.warmup}`;
    const order = rotation(o.tools, r);
    log(`${name}: booting ${order.length} fresh host(s); order ${order.join(', ')}`);
    const hosts = await freshHosts(run, o.tools, staged);
    try {
      for (const phase of HOST_PHASES) {
        for (const tool of order) {
          const s = await runPhase(hosts.get(tool)!, tool, phase, `${tool}-${phase}-r${r}`);
          if (o.verbose) log(`  ${tool} ${phase}: ${s.wall_s.toFixed(3)} s${timed ? '' : ' (untimed)'}`);
          if (!timed) continue;
          (t.wall[phase][tool] ??= []).push(s.wall_s);
          (t.cpu[phase][tool] ??= []).push(s.user_s + s.sys_s);
          (rss[phase][tool] ??= []).push(s.maxrss_kib);
        }
      }
      if (r === o.warmup && hosts.has('brine')) {
        const prints = new Map(await Promise.all([...hosts].map(async ([tool, h]) => [tool, await h.fingerprint()] as const)));
        for (const tool of o.tools) if (tool !== 'brine') t.equivalence[tool] = compareWithBrine(prints.get('brine')!, prints.get(tool)!, tool);
      }
    } finally {
      await stopAll(hosts);
    }
  }

  log(`memory round: booting ${o.tools.length} fresh host(s), process trees sampled every 10 ms`);
  const hosts = await freshHosts(run, o.tools, staged);
  try {
    for (const phase of HOST_PHASES) {
      for (const tool of o.tools) {
        const s = await runPhase(hosts.get(tool)!, tool, phase, `${tool}-${phase}-memory`, { sample: true });
        const peaks = rss[phase][tool] ?? [s.maxrss_kib];
        t.memory[phase][tool] = { maxrss_kib: Math.max(...peaks), tree_pss_peak_kib: s.tree_pss_peak_kib };
      }
    }
    for (const tool of o.tools) t.processes[tool] = await countProcesses(hosts.get(tool)!, tool);
    if (hosts.has('brine')) t.profile = await profileBrine(hosts.get('brine')!, staged);
  } finally {
    await stopAll(hosts);
  }
  return t;
}

/**
 * First converge on bare hosts: each round boots one fresh `bench-bare` host per tool, the
 * tools interleaved in rotating order, and times one converge each — apt's installs included.
 */
export async function bareRounds(run: HostRun, o: BenchOptions, staged: string, log: Log, t: Pick<Timings, 'wall' | 'cpu' | 'commands'>): Promise<void> {
  for (const tool of o.tools) t.commands[tool] ??= Object.fromEntries(PHASES.map((p) => [p, remoteCommand(TOOL_SPECS[tool].commands[p])])) as Record<Phase, string>;
  for (let r = 0; r < o.bareRuns; r++) {
    const order = rotation(o.tools, r);
    log(`bare round ${r + 1}/${o.bareRuns}: booting ${order.length} fresh bare host(s); order ${order.join(', ')}`);
    const hosts = await freshHosts(run, o.tools, staged, benchBare);
    try {
      for (const tool of order) {
        const s = await runPhase(hosts.get(tool)!, tool, 'converge_bare', `${tool}-converge_bare-r${r}`);
        if (o.verbose) log(`  ${tool} converge_bare: ${s.wall_s.toFixed(3)} s`);
        (t.wall.converge_bare[tool] ??= []).push(s.wall_s);
        (t.cpu.converge_bare[tool] ??= []).push(s.user_s + s.sys_s);
      }
    } finally {
      await stopAll(hosts);
    }
  }
}

/** Processes one no-op run starts (the tool itself included), counted under strace -f. */
async function countProcesses(host: TestHost, tool: Tool): Promise<number> {
  const trace = `${LOG_DIR}/${tool}-noop.strace`;
  await runPhase(host, tool, 'noop', `${tool}-noop-strace`, { wrap: (argv) => ['strace', '-f', '-qq', '-e', 'trace=execve', '-o', trace, ...argv] });
  return countExecs(await host.sshOk(['cat', trace]));
}

/** A CPU profile of one no-op run, attributed to the bundle's modules. */
async function profileBrine(host: TestHost, staged: string): Promise<ReturnType<typeof summarizeProfile>> {
  const dir = `${LOG_DIR}/cpu-prof`;
  await host.sshOk(['rm', '-rf', dir]);
  await runPhase(host, 'brine', 'noop', 'brine-noop-cpu-prof', { wrap: ([node, ...rest]) => [node, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...rest] });
  const file = (await host.sshOk(['sh', '-c', `ls ${dir}/*.cpuprofile | head -1`])).trim();
  const profile = JSON.parse(await host.sshOk(['cat', file])) as CpuProfile;
  return summarizeProfile(profile, readFileSync(join(staged, 'brine', 'brine.js'), 'utf8'), 'brine.js');
}
