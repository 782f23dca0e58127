// `brine init [DIR]`: commander wiring for writing the shipped stack into a project.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { initProject, packageRoot } from '../provision/init-project.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write the shipped stack (states/, pillar/, editor schemas) into a project, overwriting nothing')
    .argument('[dir]', 'the project (your app’s repository)', '.')
    .option('--force', 'overwrite files that differ from the shipped ones', false)
    .option('--minimal', 'write only the two top files', false)
    .action((dir: string, o: { force: boolean; minimal: boolean }) => {
      const r = initProject({ dir: resolve(dir), force: o.force, minimal: o.minimal, stackRoot: packageRoot() });
      const out = process.stdout;
      if (r.conflicts.length) {
        process.stderr.write(`brine: error: these files exist with other content; nothing was written (--force overwrites them):\n${r.conflicts.map((p) => `  ${p}\n`).join('')}`);
        process.exitCode = 1;
        return;
      }
      for (const p of r.created) out.write(`  created      ${p}\n`);
      for (const p of r.overwritten) out.write(`  overwritten  ${p}\n`);
      if (r.unchanged.length) out.write(`  unchanged    ${r.unchanged.length} file(s)\n`);
      for (const n of r.notes) out.write(`note: ${n}\n`);
      if (!o.minimal) {
        out.write(
          [
            '',
            'Next: put your hosts and domain in pillar/staging/env.yaml and your team in pillar/devs.yaml, then',
            '  cp pillar/staging/secrets.example.yaml pillar/staging/secrets.yaml   # and fill it in',
            '  brine provision staging --test -u root                                # see what would change',
            '  brine provision staging -u root                                       # first run as root; later -u YOU',
            '',
          ].join('\n'),
        );
      }
    });
}
