// The benchmark's results: one data shape, rendered to bench/results.json (medians, for
// machines) and bench/RESULTS.md (everything, for people). Pure: no host, no clock.
import { PHASES, TOOLS, type Phase, type Tool } from './options.js';
import type { ProfileSummary } from './profile.js';
import { mib, percent, ratio, seconds, summarize, times } from './stats.js';

export interface Memory {
  /** Largest single process's peak RSS (`/usr/bin/time -v`'s "Maximum resident set size"). */
  maxrss_kib: number;
  /** Peak of the whole process tree's summed PSS, polled every 10 ms; null if not sampled. */
  tree_pss_peak_kib: number | null;
}

export interface BenchResults {
  /** ISO date and time the run started. */
  date: string;
  machine: { nproc: number; memory_gib: number; kernel: string; os: string; cpu: string };
  /** Tool → version string, as the tools print them. */
  versions: Record<string, string>;
  options: { runs: number; warmup: number; provisionRuns: number };
  /** The exact command each tool ran on the test host, per phase. */
  commands: Partial<Record<Tool, Record<Phase, string>>>;
  /** Wall seconds of every timed run, measured inside the host. */
  wall: Record<Phase, Partial<Record<Tool, number[]>>>;
  /** CPU seconds (user + system, the command and its children) of every timed run. */
  cpu: Record<Phase, Partial<Record<Tool, number[]>>>;
  memory: Record<Phase, Partial<Record<Tool, Memory>>>;
  /** Processes the no-op run started (execve calls under strace -f), per tool. */
  processes: Partial<Record<Tool, number>>;
  /** Where brine's no-op run spends its CPU (node --cpu-prof), heaviest first. */
  profile?: ProfileSummary;
  provision?: {
    command: string;
    /** Fleet size → wall seconds of each re-provision of already converged hosts. */
    again: Record<string, number[]>;
    /** Fleet size → wall seconds of the one first provision of fresh hosts. */
    first: Record<string, number>;
    /** Fleet size → CPU seconds the whole machine (controller, ssh, hosts) spent in each re-provision. */
    cpu?: Record<string, number[]>;
  };
  /**
   * Differences between each tool's converged host and brine's, over what the stack manages
   * (an empty list means the same files, modes, owners, contents, units and firewall).
   */
  equivalence: Partial<Record<Tool, string[]>>;
  /** The command that produced this file. */
  rerun: string;
}

export interface ResultsJson {
  converge: Partial<Record<Tool, number>>;
  noop: Partial<Record<Tool, number>>;
  dryrun: Partial<Record<Tool, number>>;
  /** First converge on a bare host (the stack's packages pre-downloaded, not installed). */
  converge_bare: Partial<Record<Tool, number>>;
  provision_parallel: Record<string, number>;
  /** Fleet size → CPU seconds the whole machine spent per host in one re-provision (median). */
  provision_cpu_per_host: Record<string, number>;
  /** Fleet size → the wall time those CPU seconds allow on this machine's cores at best (median). */
  provision_cpu_floor: Record<string, number>;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const round = (s: number) => Math.round(s * 1000) / 1000;

export function toJson(r: BenchResults): ResultsJson {
  const medians = (phase: Phase) =>
    Object.fromEntries(TOOLS.filter((t) => r.wall[phase][t]?.length).map((t) => [t, round(summarize(r.wall[phase][t]!).median)]));
  return {
    converge: medians('converge'),
    noop: medians('noop'),
    dryrun: medians('dryrun'),
    converge_bare: medians('converge_bare'),
    provision_parallel: Object.fromEntries(Object.entries(r.provision?.again ?? {}).map(([n, xs]) => [n, round(summarize(xs).median)])),
    provision_cpu_per_host: Object.fromEntries(cpuMedians(r).map(([n, cpu]) => [n, round(cpu / Number(n))])),
    provision_cpu_floor: Object.fromEntries(cpuMedians(r).map(([n, cpu]) => [n, round(cpu / r.machine.nproc)])),
  };
}

const cpuMedians = (r: BenchResults): [string, number][] =>
  Object.entries(r.provision?.cpu ?? {}).filter(([, xs]) => xs.length).map(([n, xs]) => [n, summarize(xs).median]);

const PHASE_TITLE: Record<Phase, string> = {
  converge: 'first converge (fresh host)',
  noop: 'no-op re-run (converged host)',
  dryrun: 'dry run (converged host)',
  converge_bare: 'first converge on a bare host (packages pre-downloaded, not installed)',
};

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: string[], rows: string[][], align?: string[]): string {
  return [row(head), row(align ?? head.map((_, i) => (i ? '---:' : '---'))), ...rows.map(row)].join('\n');
}

export interface Aim {
  what: string;
  met: boolean;
  measured: string;
}

/** The goals issue 7 set, checked against the medians. */
export function aims(r: BenchResults): Aim[] {
  const j = toJson(r);
  const out: Aim[] = [];
  const noop = j.noop.brine;
  if (noop !== undefined) {
    out.push({ what: 'brine no-op apply of the stack under 0.3 s', met: noop < 0.3, measured: `${seconds(noop)} s` });
    if (j.noop.ansible !== undefined) {
      const x = ratio(j.noop.ansible, noop);
      out.push({ what: 'no-op at least 20× faster than ansible-playbook', met: x >= 20, measured: times(x) });
    }
    if (j.noop.puppet !== undefined) {
      const x = ratio(j.noop.puppet, noop);
      out.push({ what: 'no-op at least 5× faster than puppet apply', met: x >= 5, measured: times(x) });
    }
  }
  const sizes = Object.keys(j.provision_parallel).map(Number).sort((a, b) => a - b);
  if (sizes.length > 1 && sizes[0] === 1) {
    const big = sizes[sizes.length - 1];
    const x = ratio(j.provision_parallel[String(big)], j.provision_parallel['1']);
    // What the machine's cores alone allow: the CPU all of it took over the cores, in one host's time.
    const cpu = r.provision?.cpu?.[String(big)];
    const floor = cpu?.length ? ratio(summarize(cpu).median / r.machine.nproc, j.provision_parallel['1']) : NaN;
    const bound = Number.isFinite(floor) ? ` (this machine's CPU floor alone: ${times(floor)})` : '';
    out.push({ what: `provision of ${big} hosts within 1.5× one host's wall time`, met: x <= 1.5, measured: times(x) + bound });
    const floorSeconds = j.provision_cpu_floor[String(big)];
    if (floorSeconds !== undefined) {
      const y = ratio(j.provision_parallel[String(big)], floorSeconds);
      out.push({ what: `provision of ${big} hosts within 1.1× of this machine's CPU floor`, met: y <= 1.1, measured: times(y) });
    }
  }
  const bare = j.converge_bare;
  if (bare.brine !== undefined) {
    for (const other of ['ansible', 'puppet'] as const) {
      if (bare[other] === undefined) continue;
      out.push({ what: `first converge on a bare host faster than ${other}`, met: bare.brine < bare[other]!, measured: times(ratio(bare[other]!, bare.brine)) });
    }
  }
  return out;
}

function phaseSection(r: BenchResults, phase: Phase): string {
  const tools = TOOLS.filter((t) => r.wall[phase][t]?.length);
  const base = r.wall[phase].brine?.length ? summarize(r.wall[phase].brine!).median : NaN;
  const rows = tools.map((t) => {
    const w = summarize(r.wall[phase][t]!);
    const c = r.cpu[phase][t]?.length ? summarize(r.cpu[phase][t]!).median : NaN;
    const m = r.memory[phase][t];
    return [
      t,
      `${seconds(w.median)} s`,
      percent(w.spread),
      `${seconds(w.min)}–${seconds(w.max)}`,
      `${seconds(c)} s`,
      t === 'brine' ? '1×' : times(ratio(w.median, base)),
      mib(m?.maxrss_kib),
      mib(m?.tree_pss_peak_kib),
    ];
  });
  const runs = tools.map((t) => `- ${t}: ${r.wall[phase][t]!.map(seconds).join(', ')} s`);
  return [
    `### ${PHASE_TITLE[phase]}`,
    '',
    table(['tool', 'median', 'spread', 'min–max', 'CPU (median)', 'vs brine', 'peak RSS (largest process)', 'peak PSS (process tree)'], rows),
    '',
    'Every run, in order:',
    '',
    ...runs,
  ].join('\n');
}

function provisionSection(r: BenchResults): string {
  const p = r.provision;
  if (!p || !Object.keys(p.again).length) return '';
  const one = p.again['1']?.length ? summarize(p.again['1']).median : NaN;
  // Every test host runs on this machine's cores: no schedule finishes before cores have done
  // the work the whole run took.
  const rows = Object.entries(p.again).map(([n, xs]) => {
    const s = summarize(xs);
    const cpu = p.cpu?.[n]?.length ? summarize(p.cpu[n]).median : NaN;
    const floor = cpu / r.machine.nproc;
    return [
      n,
      `${seconds(s.median)} s`,
      percent(s.spread),
      times(ratio(s.median, one)),
      `${seconds(cpu)} s`,
      `${seconds(cpu / Number(n))} s`,
      `${seconds(floor)} s`,
      times(ratio(s.median, floor)),
      p.first[n] !== undefined ? `${seconds(p.first[n])} s` : '–',
    ];
  });
  return [
    '### `brine provision` in parallel',
    '',
    "Wall time on the controller (this machine) from start to the last host's report, over SSH to",
    'hosts booted beforehand (flavour `full`), all hosts at once (`--parallel N`). "re-provision"',
    'runs against hosts already converged (what a deploy of unchanged states costs), repeated;',
    '"first provision" is one run against fresh hosts. The hosts are containers on this machine, so',
    `everything — the controller, ssh, every host's sshd and agent — shares its ${r.machine.nproc} cores. "machine CPU" is`,
    'what all of it spent in one re-provision (from /proc/stat; median); "CPU floor" is that over',
    'the cores, a wall time no parallelism can beat here, and "vs floor" how close the run came',
    'to it. On a real fleet each host brings its own CPU, and only the controller\'s share remains.',
    '',
    table(['hosts', 're-provision (median)', 'spread', 'vs 1 host', 'machine CPU', 'per host', 'CPU floor', 'vs floor', 'first provision'], rows),
    '',
    `Command: \`${p.command}\``,
  ].join('\n');
}

function equivalenceSection(r: BenchResults): string {
  const tools = TOOLS.filter((t) => t !== 'brine' && r.equivalence[t]);
  if (!tools.length) return '';
  const lines = tools.flatMap((t) => {
    const d = r.equivalence[t]!;
    return d.length ? [`- ${t}: ${d.length} difference(s) from brine's host:`, '', '```', ...d, '```', ''] : [`- ${t}: same as brine's host.`];
  });
  return [
    '### Are the three stacks the same?',
    '',
    "After the first round's converge, each host's files under the managed trees (type, mode,",
    'owner, content hash), packages, enabled and active units and iptables rules are compared',
    "with brine's host; tool-private files and per-host identities are left out, and the",
    'self-signed key and certificate (new on every host) are compared by type, mode and owner.',
    '',
    ...lines,
  ].join('\n');
}

function profileSection(r: BenchResults): string {
  const parts: string[] = [];
  const procs = TOOLS.filter((t) => r.processes[t] !== undefined);
  if (procs.length) {
    parts.push('Processes started by one no-op run (`strace -f -e trace=execve`, the tool itself included):', '');
    parts.push(table(['tool', 'processes'], procs.map((t) => [t, String(r.processes[t])])), '');
  }
  if (r.profile) {
    parts.push(`Where brine's no-op run spends its CPU (\`node --cpu-prof\`, ${Math.round(r.profile.total_ms)} ms sampled), heaviest first:`, '');
    parts.push(table(['package or src/ directory', 'self time'], r.profile.byPackage.map((f) => [`\`${f.name}\``, `${f.self_ms.toFixed(1)} ms`])), '');
    parts.push(table(['function', 'self time'], r.profile.top.map((f) => [`\`${f.name}\``, `${f.self_ms.toFixed(1)} ms`])), '');
  }
  return parts.length ? ['### Inside the no-op run', '', ...parts].join('\n') : '';
}

function commandsSection(r: BenchResults): string {
  const tools = TOOLS.filter((t) => r.commands[t]);
  const lines = tools.flatMap((t) => PHASES.map((p) => `${t.padEnd(7)} ${p.padEnd(8)}  ${r.commands[t]![p]}`));
  return ['### Exact commands (run on the test host, inside `bench/measure.py`)', '', '```', ...lines, '```'].join('\n');
}

export function toMarkdown(r: BenchResults): string {
  const m = r.machine;
  const versions = Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const aimRows = aims(r).map((a) => [a.what, a.measured, a.met ? 'met' : '**not met**']);
  const json = toJson(r);
  const summaryRows = PHASES.filter((p) => Object.keys(json[p]).length).map((p) => [
    p,
    ...TOOLS.map((t) => (json[p][t] !== undefined ? `${seconds(json[p][t]!)} s` : '–')),
    times(ratio(json[p].ansible ?? NaN, json[p].brine ?? NaN)),
    times(ratio(json[p].puppet ?? NaN, json[p].brine ?? NaN)),
  ]);
  return [
    '# brine vs Ansible vs Puppet',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts); do not edit by hand: rerun it. -->',
    '',
    `Measured ${r.date} on ${m.nproc} cores (${m.cpu}), ${m.memory_gib} GiB memory, kernel ${m.kernel}, ${m.os}.`,
    `Versions: ${versions}.`,
    '',
    `Each tool applies the same stack (brine: the shipped \`states/\` and \`pillar/\`; Ansible:`,
    '`bench/ansible/`; Puppet: `bench/puppet/`) locally on its own fresh systemd-nspawn Debian 12',
    `test host, flavour \`bench\`. ${plural(r.options.runs, 'timed round')} after ${plural(r.options.warmup, 'untimed warm-up round')}; each round boots one`,
    'fresh host per tool and runs, interleaved so machine noise hits the tools alike (the order',
    'rotates every round): first converge, then a no-op re-run, then a dry run. Wall time is',
    'measured inside the host (no SSH in it). Memory comes from one extra round with the process',
    'tree sampled every 10 ms. The first converge on a bare host has rounds of its own',
    `(${plural(r.wall.converge_bare.brine?.length ?? r.wall.converge_bare.ansible?.length ?? 0, 'round')}, flavour \`bench-bare\`: each tool's runtime installed, the stack's packages only`,
    'pre-downloaded, so apt installs them offline and the network is not measured).',
    '',
    '## Summary (medians)',
    '',
    table(['', 'brine', 'ansible', 'puppet', 'ansible / brine', 'puppet / brine'], summaryRows),
    '',
    ...(aimRows.length ? [table(['aim', 'measured', ''], aimRows, ['---', '---:', '---']), ''] : []),
    '## Details',
    '',
    ...PHASES.filter((p) => Object.keys(r.wall[p]).length).flatMap((p) => [phaseSection(r, p), '']),
    ...[provisionSection(r), profileSection(r), equivalenceSection(r)].filter(Boolean).flatMap((s) => [s, '']),
    commandsSection(r),
    '',
    '## Rerun',
    '',
    'As root on a Debian 12 machine (the harness installs mmdebstrap and systemd-container and',
    'builds the `bench` rootfs on first use):',
    '',
    '```sh',
    'npm ci',
    r.rerun,
    '```',
    '',
  ].join('\n');
}
