// `npm run bench`: brine vs Ansible vs Puppet on fresh test hosts, and `brine provision` of
// 1, 5 and 20 hosts; writes bench/RESULTS.md and bench/results.json. Needs root (nspawn).
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { ensureHostTools, HostRun, sweepStale } from '../test/harness/index.js';
import { bench } from './flavour.js';
import { machine, versions } from './machine.js';
import { parseBenchArgs, PHASES, rerunCommand } from './options.js';
import { writeResults } from './output.js';
import { provisionRounds } from './provision.js';
import { bareRounds, emptyTimings, timedRounds } from './rounds.js';
import { aims, toJson, type BenchResults } from './results.js';
import { stage } from './stage.js';
import { ratio, seconds, times } from './stats.js';
import { prepare } from './remote.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(): Promise<void> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark boots systemd-nspawn hosts: run it as root');
  await ensureHostTools(log);
  await sweepStale(log);
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const bundle = o.bundle ? resolve(o.bundle) : join(repo, 'dist', 'brine.js');
  const staged = await stage(repo, bundle);
  log(`staged ${staged}`);
  const run = await HostRun.create();
  try {
    const [probe] = await run.start(1, { flavour: bench, log });
    await prepare(probe, staged);
    const tools = await versions(probe, repo);
    await probe.stop();

    const timings = o.runs ? await timedRounds(run, o, staged, log) : emptyTimings();
    if (o.bareRuns) {
      // A run of its own: its own known_hosts, as a bare image's host keys differ from bench's
      // at the same addresses.
      const bareRun = await HostRun.create();
      try {
        await bareRounds(bareRun, o, staged, log, timings);
      } finally {
        await bareRun.teardown();
      }
    }
    const provision = o.provision.length ? await provisionRounds(o, bundle, join(staged, 'brine', 'project'), log) : undefined;
    const results: BenchResults = {
      date,
      machine: machine(),
      versions: tools,
      options: { runs: o.runs, warmup: o.warmup, provisionRuns: o.provisionRuns },
      ...timings,
      provision,
      rerun: rerunCommand(o),
    };
    const out = writeResults(results, resolve(repo, o.out));
    const j = toJson(results);
    for (const phase of PHASES) {
      const b = j[phase].brine ?? NaN;
      log(`${phase.padEnd(8)} brine ${seconds(b)} s  ansible ${seconds(j[phase].ansible ?? NaN)} s (${times(ratio(j[phase].ansible ?? NaN, b))})  puppet ${seconds(j[phase].puppet ?? NaN)} s (${times(ratio(j[phase].puppet ?? NaN, b))})`);
    }
    for (const [n, s] of Object.entries(j.provision_parallel)) log(`provision ${n.padStart(2)} host(s): ${seconds(s)} s`);
    for (const a of aims(results)) log(`${a.met ? 'met    ' : 'NOT MET'}  ${a.what}: ${a.measured}`);
    log(`wrote ${out.markdown} and ${out.json}`);
  } finally {
    await run.teardown();
    rmSync(staged, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
