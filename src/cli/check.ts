// `brine check`: commander wiring for compiling every environment on the controller.
import type { Command } from 'commander';
import { formatProblem } from '../core/errors.js';
import { checkProject } from '../provision/check.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("compile every environment's states and pillar for each of its hosts, touching no host (exit 0 ok, 1 problems)")
    .option('-e, --env <env>', 'only this environment')
    .option('-d, --dir <dir>', 'project directory holding states/ and pillar/', process.cwd())
    .option('--facts <file>', 'facts hosts would report (YAML: os: {codename: trixie}, hosts: {ID: {…}}); default Debian 12')
    .option('--json', 'print one JSON document', false)
    .action((o: { env?: string; dir: string; facts?: string; json: boolean }) => {
      const results = checkProject(o.dir, o);
      const bad = results.filter((r) => r.problems || r.error);
      if (o.json) process.stdout.write(JSON.stringify({ ok: !bad.length, results }, null, 2) + '\n');
      else {
        for (const r of results) {
          const who = `${r.env}: ${r.host}${r.roles.length ? ` (${r.roles.join(', ')})` : ''}`;
          if (r.error) process.stdout.write(`${who}: ${r.error}\n`);
          else if (r.problems) process.stdout.write(`${who}: ${r.problems.length} problem(s)\n${r.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`);
          else process.stdout.write(`${who}: ok (${r.states} state${r.states === 1 ? '' : 's'})\n`);
        }
      }
      process.exitCode = bad.length ? 1 : 0;
    });
}
