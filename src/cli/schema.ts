// `brine schema`: prints the JSON Schema of state files, made from the kinds' own parsers
// (the build writes it to dist/schemas/ for `brine init` and editors).
import type { Command } from 'commander';
import { stateSchema } from '../compile/schema.js';
import { registry } from '../resources/index.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema for state files (every kind.function and its arguments)')
    .action(() => {
      process.stdout.write(JSON.stringify(stateSchema(registry), null, 2) + '\n');
    });
}
