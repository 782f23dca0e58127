// cmd.script: a script from the state tree (`salt://deploy/migrate.sh`), run on the host each
// time (unless a global check skips it) by the interpreter its #! line names, /bin/sh without
// one. The script reaches the interpreter on a pipe (as /dev/stdin): no copy is left on the host.
import { readFileSync } from 'node:fs';
import type { Args } from '../../core/args.js';
import { shellWord } from '../../core/shell-word.js';
import type { ParseContext, ResourceFunction } from '../resource.js';
import { commonSpec, runsEachTime, type CmdSpec } from './run.js';

function interpreter(text: string): string[] {
  const m = /^#![ \t]*(\S+)(?:[ \t]+(\S+))?/.exec(text);
  return m ? [m[1], ...(m[2] ? [m[2]] : [])] : ['/bin/sh'];
}

function parse(a: Args, ctx: ParseContext): CmdSpec {
  const source = a.str('source') ?? (/^(salt|brine):\/\//.test(a.name) ? a.name : undefined);
  if (source === undefined) a.problem('source', 'is required (or a name that is salt://…)');
  const template = a.str('template');
  if (template !== undefined && template !== 'handlebars' && template !== 'none') a.problem('template', `must be handlebars or none (brine's templates are Handlebars), got ${JSON.stringify(template)}`);
  const loaded = source === undefined ? '' : ctx.loadSource(source, { render: template === 'handlebars' });
  // A script above the streaming size comes by reference: it goes to stdin whole, so read it.
  const text = typeof loaded === 'object' && !Buffer.isBuffer(loaded) ? readFileSync(loaded.path, 'utf8') : loaded.toString();
  const interp = interpreter(text);
  // Salt passes `args` to the script through a shell: a string is shell text, a list is argv.
  const args = a.raw('args');
  let argv: string[];
  // Through `cat |`: brine's own stdin is a socket, which /dev/stdin cannot open; a pipe can be.
  if (args === undefined || typeof args === 'string') argv = ['/bin/sh', '-c', `cat | ${interp.map(shellWord).join(' ')} /dev/stdin ${args ?? ''}`.trimEnd()];
  else if (Array.isArray(args) && args.every((x) => typeof x === 'string' || typeof x === 'number')) argv = ['/bin/sh', '-c', 'cat | "$@"', 'sh', ...interp, '/dev/stdin', ...args.map(String)];
  else {
    a.problem('args', 'expected a string (shell text) or an argv list');
    argv = [];
  }
  return {
    argv,
    shown: `${source ?? a.name}${typeof args === 'string' ? ` ${args}` : Array.isArray(args) ? ` ${args.join(' ')}` : ''}`,
    ...commonSpec(a, ctx, text),
  };
}

export const script: ResourceFunction<CmdSpec> = { parse, ...runsEachTime };
