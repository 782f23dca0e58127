// Salt's arguments that every state takes besides its requisites: `unless`, `onlyif` and
// `creates` (checked before the state plans), and `order`. Read here, removed from the arguments.
import type { Problem } from '../core/errors.js';
import type { Condition, Order } from '../core/state.js';

export const CONDITION_KEYS = ['onlyif', 'unless', 'creates'] as const;

type At = Omit<Problem, 'message'>;

/**
 * A check command as Salt runs it: a string goes to `/bin/sh -c` (never split into words); a
 * list is several commands, each a string or an argv list of its own.
 */
export function parseConditions(kind: string, args: Record<string, unknown>, argLines: Record<string, number>, at: At, problems: Problem[]): Condition[] {
  const out: Condition[] = [];
  const opts = checkOptions(kind, args);
  for (const type of CONDITION_KEYS) {
    if (!(type in args)) continue;
    const value = args[type];
    const line = argLines[type];
    delete args[type];
    const where = { ...at, line, field: type };
    if (value === null || value === undefined) continue;
    if (type === 'creates') {
      const paths = Array.isArray(value) ? value : [value];
      if (!paths.every((p) => typeof p === 'string' && p.startsWith('/'))) problems.push({ ...where, message: 'expected an absolute path or a list of them' });
      else out.push({ type, commands: paths.map((p) => [p as string]), line, ...opts });
      continue;
    }
    const commands = parseCommands(value, where, problems);
    if (commands) out.push({ type, commands, line, ...opts });
  }
  return out;
}

function parseCommands(value: unknown, where: At, problems: Problem[]): string[][] | undefined {
  const shell = (s: string) => ['/bin/sh', '-c', s];
  if (typeof value === 'string') return value.trim() ? [shell(value)] : bad(where, problems, 'must not be empty');
  if (!Array.isArray(value) || value.length === 0) return bad(where, problems, 'expected a command string or a list of commands');
  if (value.some((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    return bad(where, problems, "Salt's `fun:` form (an execution module function) is not supported: write the check as a command");
  }
  // brine once read a flat list here as one argv; Salt reads it as several commands. A list with
  // a one-word item (`[test, -f, /x]`) could mean either: refuse rather than guess.
  if (value.length > 1 && value.some((v) => typeof v === 'string' && !/\s/.test(v.trim()))) {
    return bad(where, problems, 'a list here is several commands, each run by /bin/sh (as in Salt), and this one looks like an argv: write one command string, or an argv as a nested list (`- [test, -f, /x]`)');
  }
  const out: string[][] = [];
  for (const v of value) {
    if (typeof v === 'string' && v.trim()) out.push(shell(v));
    else if (Array.isArray(v) && v.length && v.every((w) => typeof w === 'string' || typeof w === 'number')) out.push(v.map(String));
    else return bad(where, problems, `expected a command string or an argv list, got ${JSON.stringify(v)}`);
  }
  return out;
}

function bad(where: At, problems: Problem[], message: string): undefined {
  problems.push({ ...where, message });
  return undefined;
}

/** The state's runas (or Salt's older `user` on cmd states), cwd and env: Salt checks with them. */
function checkOptions(kind: string, args: Record<string, unknown>): Pick<Condition, 'runas' | 'cwd' | 'env'> {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const runas = str(args.runas) ?? (kind === 'cmd' ? str(args.user) : undefined);
  const env = args.env && typeof args.env === 'object' && !Array.isArray(args.env) ? Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)])) : undefined;
  return { runas, cwd: str(args.cwd), env };
}

/** `order: 1`, `order: first`, `order: last`; anything else is a problem. */
export function parseOrder(args: Record<string, unknown>, argLines: Record<string, number>, at: At, problems: Problem[]): Order | undefined {
  if (!('order' in args)) return undefined;
  const v = args.order;
  delete args.order;
  if ((typeof v === 'number' && Number.isFinite(v)) || v === 'first' || v === 'last') return v;
  problems.push({ ...at, line: argLines.order, field: 'order', message: `expected a number, first or last, got ${JSON.stringify(v)}` });
  return undefined;
}
