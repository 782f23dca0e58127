// cmd.run: run a command unless `creates` exists, `unless` succeeds, or `onlyif` fails.
// A command is an argv list or a string split into words; a shell only with `shell: true`.
import type { Args } from '../core/args.js';
import { CommandError } from '../core/errors.js';
import type { Change, ResourceFunction, ResourceKind } from './resource.js';
import type { RunOptions } from '../host/types.js';
import type { Overlay } from '../host/predicted.js';

export interface CmdSpec {
  argv: string[];
  creates: string[];
  unless?: string[];
  onlyif?: string[];
  runas?: string;
  opts: RunOptions;
}

function command(a: Args, key: string, shell: boolean): string[] | undefined {
  if (!shell) return key === 'name' ? a.argv('name') : a.argv(key);
  // The name as written: a list given with shell: true must not be joined into shell text.
  const v = key === 'name' ? (a.has('name') ? a.decl.args.name : a.name) : a.raw(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    a.problem(key, 'with shell: true, the command must be one string');
    return undefined;
  }
  return ['/bin/sh', '-c', v];
}

const OUTPUT_LIMIT = 4000;
const tail = (s: string) => (s.length > OUTPUT_LIMIT ? '…' + s.slice(-OUTPUT_LIMIT) : s).trimEnd();

export const run: ResourceFunction<CmdSpec> = {
  parse(a) {
    const shell = a.bool('shell', false);
    const env = a.mapping('env');
    const runas = a.str('runas');
    return {
      argv: command(a, 'name', shell) ?? [],
      creates: a.strList('creates') ?? [],
      unless: command(a, 'unless', shell),
      onlyif: command(a, 'onlyif', shell),
      runas,
      opts: {
        cwd: a.str('cwd'),
        env: env ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : undefined,
        input: a.str('stdin'),
        timeout: (a.int('timeout') ?? 0) * 1000 || undefined,
      },
    };
  },

  async plan(spec, { host }) {
    for (const path of spec.creates) {
      if (await host.stat(path)) return { changes: [], comment: `${path} exists` };
    }
    // A condition whose program an earlier state writes (or a pending package brings: the read is
    // blocked) cannot run yet in --test: what it would say is unknown, so the plan is too.
    for (const [what, argv] of [['onlyif', spec.onlyif], ['unless', spec.unless]] as const) {
      if (!argv?.[0].startsWith('/')) continue;
      await host.stat(argv[0]);
      if (host.predicted?.('file', argv[0])) return { changes: [], blocked: `cannot plan yet: ${what} runs ${argv[0]}, which an earlier state writes (pending)` };
    }
    if (spec.onlyif) {
      const r = await host.query(asUser(spec.onlyif, spec.runas), spec.opts);
      if (r.exitCode !== 0) return { changes: [], comment: `onlyif: exit ${r.exitCode}` };
    }
    if (spec.unless) {
      const r = await host.query(asUser(spec.unless, spec.runas), spec.opts);
      if (r.exitCode === 0) return { changes: [], comment: 'unless: exit 0' };
    }
    return { changes: [runChange(spec)] };
  },

  // Rerun when a watched state changed, unless the command already ran this time.
  async watch(spec, _ctx, own) {
    return own.length ? [] : [runChange(spec)];
  },
};

function runChange(spec: CmdSpec): Change {
  const argv = asUser(spec.argv, spec.runas);
  const change: Change = {
    summary: `run ${spec.argv.join(' ')}`,
    // A command leaves no trace to re-read unless it `creates` something.
    converges: spec.creates.length > 0,
    // What it `creates` is there afterwards, with content only the command knows; other effects
    // are not predicted (states that require it and cannot plan say they depend on it).
    ...(spec.creates.length
      ? { predict: async (o: Overlay) => o.unknown({ source: `the command creating ${spec.creates.join(', ')}`, until: 'has run', paths: new Set(spec.creates) }) }
      : {}),
    async apply(host) {
      const r = await host.exec(argv, spec.opts);
      change.detail = { retcode: r.exitCode, stdout: tail(r.stdout), stderr: tail(r.stderr) };
      if (r.exitCode !== 0) throw new CommandError(argv, r);
    },
  };
  return change;
}

function asUser(argv: string[], user?: string): string[] {
  return user ? ['runuser', '-u', user, '--', ...argv] : argv;
}

export const cmd: ResourceKind = { run };
