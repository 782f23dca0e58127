// `npm run bench -- [options]`: what to measure and where to write it. Parsing only.
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export const TOOLS = ['brine', 'ansible', 'puppet'] as const;
export type Tool = (typeof TOOLS)[number];

export const PHASES = ['converge', 'noop', 'dryrun', 'converge_bare'] as const;
export type Phase = (typeof PHASES)[number];
/** The phases one round runs on one `bench` host, in order; `converge_bare` has hosts of its own. */
export const HOST_PHASES = ['converge', 'noop', 'dryrun'] as const satisfies readonly Phase[];

export interface BenchOptions {
  /** Timed rounds; each boots one fresh host per tool. */
  runs: number;
  /** Untimed rounds first, so every tool meets a warm page cache. */
  warmup: number;
  tools: Tool[];
  /** Fleet sizes for `brine provision` (empty: skip). */
  provision: number[];
  /** Timed repeats of each provision size. */
  provisionRuns: number;
  /** Timed first converges on bare hosts (only the stack's packages pre-downloaded), per tool. */
  bareRuns: number;
  /** brine bundle to measure instead of dist/brine.js (e.g. a build of an earlier commit). */
  bundle?: string;
  /** Directory RESULTS.md and results.json are written to. */
  out: string;
  /** Also print progress while running. */
  verbose: boolean;
}

function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0, got '${v}'`);
    return n;
  };
}

function sizes(v: string): number[] {
  if (v === '' || v === 'none') return [];
  const list = v.split(',').map((s) => positive('a fleet size')(s.trim()));
  if (list.some((n) => n < 1)) throw new InvalidArgumentError('fleet sizes must be ≥ 1');
  return [...new Set(list)].sort((a, b) => a - b);
}

function tools(v: string): Tool[] {
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((t) => !(TOOLS as readonly string[]).includes(t));
  if (bad.length) throw new InvalidArgumentError(`unknown tool(s) ${bad.join(', ')} (known: ${TOOLS.join(', ')})`);
  return TOOLS.filter((t) => list.includes(t));
}

/** What a plain `npm run bench` does: the options' defaults, and what rerunCommand leaves out. */
const DEFAULTS = { runs: 5, warmup: 1, tools: [...TOOLS], provision: [1, 5, 20], provisionRuns: 5, bareRuns: 3 };

/** Throws CommanderError on bad input (exit code 1) or on --help (exit code 0). */
export function parseBenchArgs(argv: string[], write: (s: string) => void = (s) => process.stderr.write(s)): BenchOptions {
  const program = new Command('bench')
    .description('brine vs Ansible vs Puppet on fresh test hosts; writes RESULTS.md and results.json')
    .option('--runs <n>', 'timed rounds (one fresh host per tool each; 0 to skip)', positive('--runs'), DEFAULTS.runs)
    .option('--warmup <n>', 'untimed rounds before them', positive('--warmup'), DEFAULTS.warmup)
    .option('--tools <list>', `tools to compare (${TOOLS.join(',')})`, tools, DEFAULTS.tools)
    .option('--provision <sizes>', "fleet sizes for `brine provision` ('none' to skip)", sizes, DEFAULTS.provision)
    .option('--provision-runs <n>', 'timed repeats of each fleet size', positive('--provision-runs'), DEFAULTS.provisionRuns)
    .option('--bare-runs <n>', 'timed first converges on bare hosts per tool (0 to skip)', positive('--bare-runs'), DEFAULTS.bareRuns)
    .option('--bundle <file>', 'brine bundle to measure instead of dist/brine.js')
    .option('--out <dir>', 'where RESULTS.md and results.json go', 'bench')
    .option('-v, --verbose', 'print each measurement as it is taken', false)
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: write });
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  if (!o.runs && !o.bareRuns && !o.provision.length) throw new CommanderError(1, 'bench.runs', 'error: nothing to measure (--runs, --bare-runs and --provision all off)');
  return {
    runs: o.runs,
    warmup: o.warmup,
    tools: o.tools,
    provision: o.provision,
    provisionRuns: Math.max(1, o.provisionRuns),
    bareRuns: o.bareRuns,
    bundle: o.bundle,
    out: o.out,
    verbose: Boolean(o.verbose),
  };
}

/** The command line that reproduces a run with these options. */
export function rerunCommand(o: BenchOptions): string {
  const extra = [
    o.runs !== DEFAULTS.runs ? `--runs ${o.runs}` : '',
    o.warmup !== DEFAULTS.warmup ? `--warmup ${o.warmup}` : '',
    o.tools.join(',') !== DEFAULTS.tools.join(',') ? `--tools ${o.tools.join(',')}` : '',
    o.provision.join(',') !== DEFAULTS.provision.join(',') ? `--provision ${o.provision.join(',') || 'none'}` : '',
    o.provisionRuns !== DEFAULTS.provisionRuns ? `--provision-runs ${o.provisionRuns}` : '',
    o.bareRuns !== DEFAULTS.bareRuns ? `--bare-runs ${o.bareRuns}` : '',
    o.bundle ? `--bundle ${o.bundle}` : '',
  ].filter(Boolean);
  return ['npm run bench', ...(extra.length ? ['--', ...extra] : [])].join(' ');
}
