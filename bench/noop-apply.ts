// Benchmark (not a test): how long a no-op `brine apply` of a tree using every resource kind takes
// on a test host, and how many processes it starts. Writes bench/noop-apply.md.
//   npm run build && npx tsx bench/noop-apply.ts [runs]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/apply/report-types.js';
import { registry } from '../src/resources/index.js';
import { withHosts, type TestHost } from '../test/harness/index.js';
import { makeProject } from '../test/support/project.js';
import { benchTree } from './noop-tree.js';
import { commit } from './machine.js';
import { summarize } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.argv[2] ?? 10);
const AGENT = '/opt/brine';
const PROJECT = '/root/project';

// Runs a command on the host and times it there, so SSH's own cost stays out of the numbers.
const TIMER = `const { spawnSync } = require('node:child_process');
const t = process.hrtime.bigint();
const r = spawnSync(process.argv[1], process.argv.slice(2), { encoding: 'utf8', maxBuffer: 1 << 26 });
process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, code: r.status, stdout: r.stdout, stderr: r.stderr }));`;

interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

async function timed(host: TestHost, argv: string[]): Promise<Timed> {
  return JSON.parse(await host.sshOk(['node', '-e', TIMER, ...argv], { timeout: 300_000 })) as Timed;
}

// bench/count-spawns.cjs counts the processes each run starts ("brine: spawned N processes").
const applyArgv = ['node', '--require', `${AGENT}/count-spawns.cjs`, `${AGENT}/brine.js`, 'apply', '--env', 'bench', '--dir', PROJECT, '--json'];

const fmt = (xs: number[]) => {
  const s = summarize(xs);
  return `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
};

async function main(): Promise<void> {
  const kinds = Object.keys(registry);
  const tree = benchTree(kinds);
  await withHosts(1, { flavour: 'full', log: (m) => console.error(m) }, async ([host]) => {
    await host.sshOk(['mkdir', '-p', AGENT]);
    await host.rsync(join(ROOT, 'dist/brine.js'), `${AGENT}/brine.js`);
    await host.rsync(join(ROOT, 'bench/count-spawns.cjs'), `${AGENT}/count-spawns.cjs`);
    await host.rsync(`${makeProject(tree.files)}/`, `${PROJECT}/`);

    const converge = await timed(host, applyArgv);
    const report = JSON.parse(converge.stdout) as Report;
    if (converge.code !== 0) throw new Error(`converging apply failed (exit ${converge.code}):\n${JSON.stringify(report.states.filter((s) => s.result === 'failed'), null, 2)}`);

    const load: number[] = [loadavg()[0]];
    const ssh: number[] = [];
    const node: number[] = [];
    const version: number[] = [];
    const wall: number[] = [];
    const engine: number[] = [];
    const spawned: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await host.sshOk(['true']);
      ssh.push(performance.now() - t0);
      node.push((await timed(host, ['node', '-e', '0'])).ms);
      version.push((await timed(host, ['node', `${AGENT}/brine.js`, '--version'])).ms);
      const run = await timed(host, applyArgv);
      const r = JSON.parse(run.stdout) as Report;
      if (run.code !== 0 || r.summary.changed !== 0) throw new Error(`apply ${i + 1} was not a no-op (exit ${run.code}, changed ${r.summary.changed})`);
      wall.push(run.ms);
      engine.push(r.summary.durationMs);
      spawned.push(Number(/spawned (\d+) processes/.exec(run.stderr)?.[1] ?? NaN));
    }
    load.push(loadavg()[0]);
    const states = report.states.length;
    const md = `# No-op apply benchmark

Written by \`bench/noop-apply.ts\` (${new Date().toISOString().slice(0, 10)}, commit ${commit(ROOT)}). Do not edit by hand.

A tree of ${states} states using ${tree.used.join(', ')} is applied once to a fresh
\`full\` test host (systemd-nspawn, Debian 12, node ${(await host.sshOk(['node', '--version'])).trim()}), then applied
again ${RUNS} times with nothing left to change. Times are measured on the host (no SSH in them);
median (min–max), milliseconds. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, kernel ${release()};
its 1-minute load average was ${load.map((l) => l.toFixed(1)).join(' before, ')} after (other work on the machine slows every row alike).

| what | ms |
|---|---|
| no-op \`brine apply\`, whole process | ${fmt(wall)} |
| of which brine's engine (plan of every state, \`summary.durationMs\`) | ${fmt(engine)} |
| \`node brine.js --version\` (node start + bundle load) | ${fmt(version)} |
| \`node -e 0\` (node start alone) | ${fmt(node)} |
| SSH round trip \`ssh host true\` (not included above) | ${fmt(ssh)} |

Processes started by brine during a no-op apply (\`bench/count-spawns.cjs\`): ${[...new Set(spawned)].join(', ')}
(${tree.spawnNote}).

States: ${report.states.map((s) => `\`${s.function}\``).filter((v, i, a) => a.indexOf(v) === i).join(', ')}.
`;
    writeFileSync(join(ROOT, 'bench/noop-apply.md'), md);
    process.stdout.write(md);
  });
}

await main();
