// `brine releases ENV` and `brine rollback ENV [--to ID]`: commander wiring for an app's releases.
import type { Command } from 'commander';
import { styleFor } from '../apply/report.js';
import { checkEnvName, loadInventory, selectTargets } from '../provision/inventory.js';
import { provision } from '../provision/provision.js';
import { fetchReleases, formatReleases } from '../provision/releases-list.js';
import { spawnProcess } from '../provision/runner.js';
import { whole } from './options.js';
import { settings, sshOptions } from './ssh-options.js';

export function registerReleases(program: Command): void {
  sshOptions(program.command('releases').description("list the app's releases on an environment's hosts: current, previous, when and by whom deployed").argument('<env>', 'environment'))
    .option('--json', 'print one JSON document', false)
    .action(async (env: string, o) => {
      checkEnvName(env);
      const { targets, warnings } = selectTargets(loadInventory(o.dir, env), { hosts: o.hosts, user: o.user });
      for (const w of warnings) process.stderr.write(`brine: warning: ${w}\n`);
      const hosts = await fetchReleases(o.dir, env, targets, settings(o), spawnProcess, o.parallel);
      if (o.json) {
        const doc = hosts.map((h) => ({ address: h.target.address, id: h.target.id, root: h.root ?? null, error: h.error ?? null, ...h.releases }));
        process.stdout.write(JSON.stringify({ env, hosts: doc }, null, 2) + '\n');
      } else {
        const style = styleFor(process.stdout);
        for (const h of hosts) process.stdout.write(formatReleases(h, style));
      }
      process.exitCode = hosts.some((h) => h.error) ? 1 : 0;
    });

  sshOptions(
    program
      .command('rollback')
      .description('switch the app back to its previous release (or --to ID) on every host, restart, health-check')
      .argument('<env>', 'environment')
      .argument('[state...]', 'state files to apply (default: app)'),
  )
    .option('--to <id>', 'the release to switch to (default: the previous one)')
    .option('-t, --test', 'show what the rollback would do, change nothing', false)
    .option('--json', 'print one JSON document with every host’s report', false)
    .option('--lock-wait <seconds>', "how long a host's agent waits for an earlier run to finish", whole(0), 600)
    .action(async (env: string, states: string[], o) => {
      const { code } = await provision(
        { env, dir: o.dir, hosts: o.hosts, user: o.user, ssh: settings(o), parallel: o.parallel, test: Boolean(o.test), json: Boolean(o.json), states: states.length ? states : ['app'], lockWait: o.lockWait, rollback: { to: o.to } },
        { stdout: process.stdout, stderr: process.stderr, style: styleFor(o.json ? process.stderr : process.stdout) },
      );
      process.exitCode = code;
    });
}
