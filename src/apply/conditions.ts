// Salt's global `onlyif`, `unless` and `creates`, checked before a state plans (in --test too:
// they only read). A state they skip does nothing this run, and does not react to watch either.
import type { HostView } from '../host/types.js';
import { runnable } from '../host/runnable.js';
import { UnknownError } from '../core/errors.js';
import type { Condition } from '../core/state.js';

/** Why the state is skipped, or undefined when it should plan. */
export async function skippedBy(conditions: Condition[], host: HostView): Promise<string | undefined> {
  for (const c of conditions.filter((x) => x.type === 'onlyif')) {
    for (const argv of c.commands) {
      const r = await run(host, c, argv);
      if (r !== 0) return `onlyif condition is false (${describe(argv)}: exit ${r})`;
    }
  }
  for (const c of conditions.filter((x) => x.type === 'unless')) {
    let all = true;
    for (const argv of c.commands) {
      if ((await run(host, c, argv)) === 0) continue;
      all = false;
      break;
    }
    if (all) return `unless condition is true (${c.commands.map(describe).join('; ')})`;
  }
  for (const c of conditions.filter((x) => x.type === 'creates')) {
    const paths = c.commands.map(([p]) => p);
    const exist = await Promise.all(paths.map((p) => host.stat(p)));
    if (exist.every(Boolean)) return paths.length === 1 ? `${paths[0]} exists` : 'all files in creates exist';
  }
  return undefined;
}

async function run(host: HostView, c: Condition, argv: string[]): Promise<number> {
  const full = c.runas ? ['runuser', '-u', c.runas, '--', ...argv] : argv;
  return (await host.query(host.predicted ? await runnable(host, argv, full) : full, { cwd: c.cwd, env: c.env })).exitCode;
}

/** `/bin/sh -c STRING` is shown as the string the state file holds. */
const describe = (argv: string[]) => (argv.length === 3 && argv[0] === '/bin/sh' && argv[1] === '-c' ? argv[2] : argv.join(' '));
