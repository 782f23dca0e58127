// `npm run testhost -- <command>`: build rootfs caches, boot hosts by hand, sweep leftovers.
//   build [--flavour NAME|all]   up [N] [--flavour NAME]   sweep   prune   paths
// (NAME: full, bare, full-trixie, bare-trixie)
import { Command } from 'commander';
import { bare, bareTrixie, full, fullTrixie } from './flavours.js';
import { pruneCache } from './prune.js';
import { ensureRootfs, rootfsPaths } from './rootfs.js';
import { startHosts } from './run.js';
import { sweepStale } from './sweep.js';
import { ensureHostTools } from './tools.js';

const ALL = [full, bare, fullTrixie, bareTrixie];
/** What the tests boot (global-setup builds the same): `build` makes these unless told otherwise. */
const TESTED = [full, bare, bareTrixie];

const log = (msg: string) => process.stderr.write(`brine-testhost: ${msg}\n`);

const program = new Command('testhost').description('disposable Debian test hosts (systemd-nspawn)');

program
  .command('build')
  .description('build (or verify cached) rootfs flavours')
  .option('--flavour <name>', 'full, bare, full-trixie, bare-trixie, or all (those the tests use: full, bare, bare-trixie)', 'all')
  .action(async (o: { flavour: string }) => {
    await ensureHostTools(log);
    const names = o.flavour === 'all' ? TESTED.map((f) => f.name) : [o.flavour];
    // allSettled: one failing build must not kill the other mid-way.
    const results = await Promise.allSettled(names.map((n) => ensureRootfs(n, log)));
    for (const res of results) {
      if (res.status === 'rejected') throw res.reason;
      const r = res.value;
      const what = r.built ? 'built' : r.extracted ? 'extracted from cache' : 'cached';
      console.log(`${r.flavour.name}\t${what} in ${(r.ms / 1000).toFixed(1)} s\t${r.tar}`);
    }
  });

program
  .command('up')
  .description('boot N hosts, print how to reach them, tear down on Ctrl-C')
  .argument('[count]', 'number of hosts', '1')
  .option('--flavour <name>', 'full, bare, full-trixie or bare-trixie', 'full')
  .action(async (count: string, o: { flavour: string }) => {
    await ensureHostTools(log);
    const t0 = Date.now();
    const run = await startHosts(Number(count), { flavour: o.flavour, log });
    console.log(`booted ${run.hosts.length} '${o.flavour}' host(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const h of run.hosts) console.log(`  ${h.name}\t${h.address}\tssh -F ${run.sshConfigFile} ${h.name}`);
    console.log(`ssh config: ${run.sshConfigFile}\nPress Ctrl-C to tear down.`);
    await new Promise(() => {}); // the signal handler tears down and exits
  });

program
  .command('sweep')
  .description('remove leftovers of crashed runs (only ours, only of dead owners)')
  .action(async () => {
    const r = await sweepStale(log);
    console.log(JSON.stringify(r));
  });

program
  .command('prune')
  .description('delete cached full/bare (and -trixie) builds the current recipe no longer uses (unless mounted)')
  .action(() => {
    const removed = pruneCache(ALL, log);
    console.log(`removed ${removed.length} item(s)`);
  });

program
  .command('paths')
  .description('show cache paths for each flavour')
  .action(() => {
    for (const f of ALL) {
      const p = rootfsPaths(f);
      console.log(`${f.name}\t${p.key}\t${p.tar}\t${p.dir}`);
    }
  });

program.parseAsync().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
