// Benchmark (not a test): a no-op `brine apply` of one 50 MB managed file copied as it is
// (`source:` with `template: none`). Budget: under 1 s and 100 MB of memory, and the template
// cache does not grow with the file. Runs locally against temp dirs (no test host needed).
// Writes bench/large-file.md; exits 1 when over budget.
//   npm run build && npx tsx bench/large-file.ts [runs] [megabytes]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from '../test/support/project.js';
import { commit } from './machine.js';
import { summarize } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(ROOT, 'dist/brine.js');
const RUNS = Number(process.argv[2] ?? 5);
const MB = Number(process.argv[3] ?? 50);
const BUDGET = { ms: 1000, rssMb: 100 };

// Loaded before brine (node --require): reports the process's own peak memory as it exits.
const PEAK = `process.on('exit', () => require('node:fs').writeFileSync(process.env.BRINE_BENCH_PEAK, String(process.resourceUsage().maxRSS)));`;

interface Run {
  ms: number;
  rssMb: number;
  code: number;
  stdout: string;
}

function apply(argv: string[], env: Record<string, string>, peakFile: string, preload: string): Run {
  const t = process.hrtime.bigint();
  const r = spawnSync('node', ['--require', preload, BUNDLE, ...argv], { env: { ...process.env, ...env, BRINE_BENCH_PEAK: peakFile }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, rssMb: Number(readFileSync(peakFile, 'utf8')) / 1024, code: r.status ?? -1, stdout: r.stdout };
}

function main(): number {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: npm run build`);
  const work = mkdtempSync(join(tmpdir(), 'brine-bench-large-'));
  try {
    const target = join(work, 'target');
    const project = makeProject({
      'states/files/.keep': '',
      'states/big.yaml': `${target}/big.bin:\n  file.managed:\n    source: salt://files/big.bin\n    template: none\n    makedirs: true\n`,
    });
    const big = join(project, 'states/files/big.bin');
    // Random bytes, written a megabyte at a time.
    writeFileSync(big, '');
    for (let i = 0; i < MB; i++) writeFileSync(big, randomBytes(1 << 20), { flag: 'a' });
    const cache = join(work, 'code-cache');
    const env = { BRINE_VAR_DIR: join(work, 'var'), BRINE_CODE_CACHE: cache, NO_COLOR: '1' };
    const preload = join(work, 'peak.cjs');
    writeFileSync(preload, PEAK);
    const peak = join(work, 'peak');
    const argv = ['apply', '--env', 'bench', '--dir', project, '--json', 'big'];

    const first = apply(argv, env, peak, preload);
    if (first.code !== 0 || JSON.parse(first.stdout).summary.changed !== 1) throw new Error(`the first apply did not converge: ${first.stdout}`);
    const runs = Array.from({ length: RUNS }, () => apply(argv, env, peak, preload));
    for (const r of runs) if (r.code !== 0 || JSON.parse(r.stdout).summary.changed !== 0) throw new Error(`a re-run was not a no-op: ${r.stdout}`);
    const templates = `${cache}-templates`;
    const cacheBytes = existsSync(templates) ? statSync(templates).size : 0;

    const ms = summarize(runs.map((r) => r.ms));
    const rss = summarize(runs.map((r) => r.rssMb));
    const ok = ms.median < BUDGET.ms && rss.max < BUDGET.rssMb && cacheBytes < 64 * 1024;
    const md = `# Large file no-op benchmark

Written by \`bench/large-file.ts\` (${new Date().toISOString().slice(0, 10)}, commit ${commit(ROOT)}). Do not edit by hand.

One ${MB} MB file managed with \`source:\` and \`template: none\` (random bytes), applied once,
then applied again ${RUNS} times with nothing to change, locally (no test host). Budget: under
${BUDGET.ms} ms and ${BUDGET.rssMb} MB peak memory, and the template cache does not grow with the file.
Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; 1-minute load average ${loadavg()[0].toFixed(1)} at the end.

| what | median (min–max) |
|---|---|
| first apply (copies the file), ms | ${first.ms.toFixed(0)} |
| no-op apply, whole process, ms | ${ms.median.toFixed(0)} (${ms.min.toFixed(0)}–${ms.max.toFixed(0)}) |
| no-op apply, peak memory (maxRSS), MB | ${rss.median.toFixed(0)} (${rss.min.toFixed(0)}–${rss.max.toFixed(0)}) |
| template cache after the runs, bytes | ${cacheBytes} |

Result: ${ok ? 'within budget' : '**over budget**'}.
`;
    writeFileSync(join(ROOT, 'bench/large-file.md'), md);
    process.stdout.write(md);
    return ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
