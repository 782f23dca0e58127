// `brine provision` and `brine history`: commander wiring for the controller side.
import type { Command } from 'commander';
import { styleFor } from '../apply/report.js';
import { HOST_PATHS } from '../core/host-paths.js';
import { defaultVarDir } from './paths.js';
import { fetchHistory, formatHistory } from '../provision/history.js';
import { HostTrust } from '../provision/host-keys/trust.js';
import { checkEnvName, loadInventory, selectTargets } from '../provision/inventory.js';
import { provision } from '../provision/provision.js';
import { spawnProcess } from '../provision/runner.js';
import { positive, settings, sshOptions } from './ssh-options.js';
import { whole } from './options.js';

export function registerProvision(program: Command): void {
  sshOptions(
    program
      .command('provision')
      .description("bootstrap, upload and apply over SSH to an environment's hosts (pillar/ENV/env.yaml)")
      .argument('<env>', 'environment')
      .argument('[state...]', 'state files to apply alone (default: what states/top.yaml selects)'),
  )
    .option('-t, --test', 'dry run on every host: show what would change (exit 2 if anything would)', false)
    .option('--json', 'print one JSON document with every host’s report', false)
    .option('--lock-wait <seconds>', "how long a host's agent waits for an earlier run to finish", whole(0), 600)
    .option('--allow-empty', 'succeed on a host the top files select nothing for (otherwise an error)', false)
    .option('--agent <file>', 'agent bundle to upload (default: this brine.js)')
    .option('--accept-new', 'trust hosts no known_hosts file knows yet (first contact): record their keys in pillar/ENV/known_hosts', false)
    .option('--ref <ref>', "the app release to deploy: a git ref of app.source's repository", 'HEAD')
    .option('--allow-dirty', 'deploy uncommitted changes of the app (the release id says so)', false)
    .action(async (env: string, states: string[], o) => {
      const release = { ref: o.ref, allowDirty: Boolean(o.allowDirty) };
      const { code } = await provision(
        { env, dir: o.dir, hosts: o.hosts, user: o.user, ssh: settings(o), parallel: o.parallel, test: Boolean(o.test), json: Boolean(o.json), states, agent: o.agent, lockWait: o.lockWait, acceptNew: Boolean(o.acceptNew), release, allowEmpty: Boolean(o.allowEmpty), stateDir: defaultVarDir() },
        { stdout: process.stdout, stderr: process.stderr, style: styleFor(o.json ? process.stderr : process.stdout) },
      );
      process.exitCode = code;
    });

  sshOptions(
    program
      .command('history')
      .description(`show the last runs recorded on an environment's hosts (${HOST_PATHS.runLog})`)
      .argument('<env>', 'environment'),
  )
    .option('-n, --last <n>', 'runs per host', positive, 10)
    .option('--json', 'print one JSON document', false)
    .action(async (env: string, o) => {
      checkEnvName(env);
      const { targets, warnings } = selectTargets(loadInventory(o.dir, env), { hosts: o.hosts, user: o.user });
      for (const w of warnings) process.stderr.write(`brine: warning: ${w}\n`);
      const trust = new HostTrust({ dir: o.dir, env, acceptNew: false, spawn: spawnProcess });
      const hosts = await fetchHistory(targets, env, o.last, settings(o), spawnProcess, o.parallel, trust).finally(() => trust.close());
      if (o.json) {
        const doc = hosts.map((h) => ({ address: h.target.address, id: h.target.id, error: h.error ?? null, runs: h.runs }));
        process.stdout.write(JSON.stringify({ env, hosts: doc }, null, 2) + '\n');
      } else {
        const style = styleFor(process.stdout);
        for (const h of hosts) process.stdout.write(formatHistory(h, style));
      }
      process.exitCode = hosts.some((h) => h.error) ? 1 : 0;
    });
}
