// Benchmark (not a test): the first converge of the shipped stack on bare hosts (flavour
// `bench-bare`: the stack's packages pre-downloaded, not installed) with this build, which
// installs a run's packages in one apt transaction, against a baseline build that installs
// one state at a time. Interleaved rounds, alternating which build goes first; writes
// bench/apt-batch.md.
//   npm run build && npx tsx bench/apt-batch.ts BASELINE_BUNDLE [rounds]
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostRun } from '../test/harness/index.js';
import { benchBare } from './flavour.js';
import { commit } from './machine.js';
import { measure, prepare } from './remote.js';
import { stage } from './stage.js';
import { summarize } from './stats.js';
import { TOOL_SPECS } from './tools.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [baselineArg, roundsArg] = process.argv.slice(2);
if (!baselineArg) throw new Error('usage: tsx bench/apt-batch.ts BASELINE_BUNDLE [rounds]');
const ROUNDS = Number(roundsArg ?? 3);
const log = (m: string) => process.stderr.write(`apt-batch: ${m}\n`);

async function main(): Promise<void> {
  const builds = { batched: join(ROOT, 'dist', 'brine.js'), 'one per state': resolve(baselineArg) };
  const staged = Object.fromEntries(await Promise.all(Object.entries(builds).map(async ([k, b]) => [k, await stage(ROOT, b)] as const)));
  const wall: Record<string, number[]> = { batched: [], 'one per state': [] };
  const run = await HostRun.create();
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? ['one per state', 'batched'] : ['batched', 'one per state'];
      const hosts = await run.start(2, { flavour: benchBare });
      try {
        for (const [i, build] of order.entries()) {
          await prepare(hosts[i], staged[build]);
          const s = await measure(hosts[i], `apt-batch-${r}-${i}`, TOOL_SPECS.brine.commands.converge_bare);
          const problem = TOOL_SPECS.brine.problem('converge_bare', { exit: s.exit, stdout: s.stdout_tail });
          if (problem) throw new Error(`${build}: ${problem}\n${s.stdout_tail.slice(-2000)}${s.stderr_tail.slice(-1500)}`);
          wall[build].push(s.wall_s);
          log(`round ${r + 1}/${ROUNDS}: ${build} ${s.wall_s.toFixed(2)} s`);
        }
      } finally {
        await Promise.all(hosts.map((h) => h.stop()));
      }
    }
  } finally {
    await run.teardown();
    for (const dir of Object.values(staged)) rmSync(dir, { recursive: true, force: true });
  }
  const b = summarize(wall.batched).median;
  const o = summarize(wall['one per state']).median;
  const md = [
    '# One apt transaction per run: first converge on a bare host',
    '',
    `Written by \`bench/apt-batch.ts\` (${new Date().toISOString().slice(0, 10)}, commit ${commit(ROOT)}). Do not edit by hand.`,
    '',
    `The shipped stack applied by \`brine apply\` on fresh \`bench-bare\` hosts (packages pre-downloaded, not`,
    `installed), ${ROUNDS} interleaved rounds; baseline: a build that installs each package state on its own.`,
    `1-minute load average at the end: ${loadavg()[0].toFixed(1)}.`,
    '',
    '| build | median | runs |',
    '|---|---:|---|',
    `| batched (this build) | ${b.toFixed(2)} s | ${wall.batched.map((x) => x.toFixed(2)).join(', ')} |`,
    `| one install per state | ${o.toFixed(2)} s | ${wall['one per state'].map((x) => x.toFixed(2)).join(', ')} |`,
    '',
    `Batched / one per state: ${(b / o).toFixed(2)}× (aim: ≤ 0.6×).`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'apt-batch.md'), md);
  log(`batched ${b.toFixed(2)} s, one per state ${o.toFixed(2)} s: ${(b / o).toFixed(2)}×`);
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
