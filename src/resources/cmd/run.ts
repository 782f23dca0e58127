// cmd.run and cmd.wait, and what cmd.script (script.ts) shares with them. A string command runs
// as Salt runs it, through `/bin/sh -c` (or the shell `shell:` names); an argv list, no shell.
// `unless`, `onlyif` and `creates` are the global checks every state has (compile/global-args.ts).
// cmd.wait runs only on `watch`.
import type { Args } from '../../core/args.js';
import { CommandError } from '../../core/errors.js';
import type { Change, ParseContext, ResourceFunction } from '../resource.js';
import type { Overlay } from '../../host/predicted.js';
import type { RunOptions } from '../../host/types.js';

export interface CmdSpec {
  argv: string[];
  /** What the report shows: the string as written, or the argv joined. */
  shown: string;
  runas?: string;
  /** A command that `creates` a path leaves a trace: apply checks it is there afterwards. */
  converges: boolean;
  /** Those paths: a dry run predicts them there, with content only the command knows. */
  creates: string[];
  opts: RunOptions;
}

function command(a: Args): { argv: string[]; shown: string } {
  const shell = a.raw('shell');
  const raw = a.decl.args.name;
  a.shape('name', { type: 'command' });
  if (shell === false) a.problem('shell', 'a command string runs through a shell, as in Salt: to run without one, give the command as an argv list ([cmd, arg…])');
  else if (shell !== undefined && shell !== true && !(typeof shell === 'string' && shell.startsWith('/'))) {
    a.problem('shell', `expected the path of a shell (/bin/bash) or true, got ${JSON.stringify(shell)}`);
  }
  if (Array.isArray(raw)) {
    if (shell !== undefined) a.problem('shell', 'an argv list runs without a shell: give the command as one string to run it through a shell');
    return { argv: a.argv('name') ?? [], shown: raw.join(' ') };
  }
  if (!a.name.trim()) a.problem('name', 'expected a non-empty command');
  return { argv: [typeof shell === 'string' ? shell : '/bin/sh', '-c', a.name], shown: a.name };
}

const OUTPUT_LIMIT = 4000;
const tail = (s: string) => (s.length > OUTPUT_LIMIT ? '…' + s.slice(-OUTPUT_LIMIT) : s).trimEnd();

/** What cmd.run and cmd.script share: runas (or `user`), cwd, env, timeout, and stdin's text. */
export function commonSpec(a: Args, ctx: ParseContext, input: string | undefined): Omit<CmdSpec, 'argv' | 'shown'> {
  const env = a.mapping('env');
  const runas = a.str('runas');
  const user = a.str('user');
  if (user !== undefined && runas !== undefined) a.problem('user', 'give runas (or its older name user), not both');
  return {
    runas: runas ?? user,
    converges: ctx.decl.conditions.some((c) => c.type === 'creates'),
    creates: ctx.decl.conditions.filter((c) => c.type === 'creates').flatMap((c) => c.commands.map(([p]) => p)),
    opts: {
      cwd: a.str('cwd'),
      env: env ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : undefined,
      input,
      timeout: (a.int('timeout') ?? 0) * 1000 || undefined,
    },
  };
}

const parse = (a: Args, ctx: ParseContext): CmdSpec => ({ ...command(a), ...commonSpec(a, ctx, a.str('stdin')) });

/** Runs each time; on watch, again unless it already ran this time. */
export const runsEachTime = {
  async plan(spec: CmdSpec) {
    return { changes: [runChange(spec)] };
  },
  async watch(spec: CmdSpec, _ctx: unknown, own: Change[]) {
    return own.length ? [] : [runChange(spec)];
  },
};

export const run: ResourceFunction<CmdSpec> = { parse, ...runsEachTime };

/** Salt's cmd.wait: nothing on its own; runs when a state it watches changes. */
export const wait: ResourceFunction<CmdSpec> = {
  parse,
  async plan() {
    return { changes: [], comment: 'runs only when a watched state changes' };
  },
  async watch(spec) {
    return [runChange(spec)];
  },
};

function runChange(spec: CmdSpec): Change {
  const argv = spec.runas ? ['runuser', '-u', spec.runas, '--', ...spec.argv] : spec.argv;
  const change: Change = {
    summary: `run ${spec.shown}`,
    // A command leaves no trace to re-read unless it `creates` something.
    converges: spec.converges,
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

