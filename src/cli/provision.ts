// `brine provision` and `brine history`: commander wiring for the controller side.
import type { Command } from 'commander';
import { styleFor } from '../apply/report.js';
import { HOST_PATHS } from '../core/host-paths.js';
import { defaultVarDir } from './paths.js';
import { fetchHistory, formatHistory } from '../provision/history.js';
import { checkEnvName, loadInventory, selectTargets } from '../provision/inventory.js';
import { provision } from '../provision/provision.js';
import { spawnProcess } from '../provision/runner.js';
import type { SshSettings } from '../provision/ssh.js';
import { list, repeat, whole } from './options.js';

const positive = whole(1);

function sshOptions(cmd: Command): Command {
  return cmd
    .option('-H, --hosts <host,...>', 'only these hosts (addresses or ids; user@host allowed), as `fab -H`', list)
    .option('-u, --user <user>', 'SSH login user for every host (root, or a developer with passwordless sudo)')
    .option('-i, --identity <file>', 'identity (private key) file, passed to ssh and rsync')
    .option('-o, --ssh-option <option>', 'ssh option (e.g. Port=2222), passed to ssh and rsync; repeatable', repeat, [])
    .option('-F, --ssh-config <file>', 'ssh_config file, passed to ssh and rsync')
    .option('-d, --dir <dir>', 'project directory holding states/ and pillar/', process.cwd())
    .option('--parallel <n>', 'hosts at once', positive, 10);
}

function settings(o: { identity?: string; sshOption: string[]; sshConfig?: string }): SshSettings {
  return { identity: o.identity, options: o.sshOption, configFile: o.sshConfig };
}

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
    .action(async (env: string, states: string[], o) => {
      const { code } = await provision(
        { env, dir: o.dir, hosts: o.hosts, user: o.user, ssh: settings(o), parallel: o.parallel, test: Boolean(o.test), json: Boolean(o.json), states, agent: o.agent, lockWait: o.lockWait, allowEmpty: Boolean(o.allowEmpty), stateDir: defaultVarDir() },
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
      const hosts = await fetchHistory(targets, env, o.last, settings(o), spawnProcess, o.parallel);
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
