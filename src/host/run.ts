// Running a command that changes the host: a non-zero exit fails the state, naming argv,
// exit code and output.
import { CommandError } from '../core/errors.js';
import type { Host, RunOptions } from './types.js';

export async function run(host: Host, argv: string[], opts?: RunOptions): Promise<void> {
  const r = await host.exec(argv, opts);
  if (r.exitCode !== 0) throw new CommandError(argv, r);
}
