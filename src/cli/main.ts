// brine's command line: commander wiring only; errors are caught and printed in one place.
import { Command, CommanderError } from 'commander';
import { outputSettings } from '../apply/report.js';
import { BrineError, isSystemError, systemCause } from '../core/errors.js';
import { HOST_PATHS } from '../core/host-paths.js';
import { applyCommand } from './apply.js';
import { list, whole } from './options.js';
import { defaultRunLog, defaultVarDir } from './paths.js';
import { registerCheck } from './check.js';
import { registerCompletion } from './completion.js';
import { registerInit } from './init.js';
import { registerProvision } from './provision.js';
import { registerReleases } from './releases.js';
import { registerSchema } from './schema.js';

const program = new Command('brine')
  .description('masterless, Salt-like configuration management for small Debian/Ubuntu fleets')
  .version('0.1.0')
  .option('--no-color', 'no colour, as with NO_COLOR (default: colour on a terminal)')
  .option('-q, --quiet', 'report only what changes, is pending or failed (and problems), and the summary')
  .option('-v, --verbose', 'report every state whole, those with nothing to do too')
  .hook('preAction', () => {
    const o = program.opts<{ color: boolean; quiet?: boolean; verbose?: boolean }>();
    if (o.quiet && o.verbose) program.error('error: --quiet and --verbose contradict each other');
    if (!o.color) outputSettings.color = false;
    outputSettings.detail = o.quiet ? 'quiet' : o.verbose ? 'verbose' : 'normal';
  })
  .exitOverride();

program
  .command('apply')
  .description('apply states to this host (with --test: show what would change, change nothing)')
  .argument('[state...]', 'state files to apply alone (default: what states/top.yaml selects)')
  .requiredOption('-e, --env <env>', 'environment (selects pillar and states from the top files)')
  .option('-d, --dir <dir>', 'project directory holding states/ and pillar/', process.cwd())
  .option('-t, --test', 'dry run: plan and report, change nothing (exit 2 if changes are pending)', false)
  .option('--json', 'print one JSON document instead of the human report', false)
  .option('--roles <roles>', 'comma-separated roles of this host (for roles:NAME targets)', list, [])
  .option('--id <id>', 'name this host is targeted by in top files (default: its hostname)')
  .option('--var-dir <dir>', "brine's own directory (lock, backups)", defaultVarDir())
  .option('--report-file <path>', 'also write the (masked) JSON report to this file')
  .option('--run-log <path>', `run log a real apply appends to (default ${HOST_PATHS.runLog} as root)`)
  .option('--lock-wait <seconds>', "wait this long for another apply's lock", whole(0), 0)
  .option('--allow-empty', 'succeed when nothing is selected for this host (otherwise an error)', false)
  .option('--events <path>', "also append the run's events to this file, one JSON line each (for provision)")
  .action(async (states: string[], o) => {
    const runLog = o.runLog ?? defaultRunLog(o.varDir);
    const { code } = await applyCommand(states, { ...o, runLog, test: Boolean(o.test), json: Boolean(o.json), allowEmpty: Boolean(o.allowEmpty) });
    process.exitCode = code;
  });

registerProvision(program);
registerInit(program);
registerCheck(program);
registerSchema(program);
registerCompletion(program);
registerReleases(program);

// No top-level await: the bundle is CommonJS so that plain `node brine.js` runs it anywhere.
program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 1;
  } else if (err instanceof BrineError) {
    process.stderr.write(`brine: error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (isSystemError(err)) {
    // A file brine could not read or write: what, where and why, on one line.
    process.stderr.write(`brine: error: cannot ${err.syscall}${err.path ? ` ${err.path}` : ''}: ${systemCause(err)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`brine: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  }
});
