// The requisite graph: resolve targets, find missing ones and cycles, and order the states
// by Salt's `order`, then definition order, each state once everything it requires has run.
import type { Problem } from '../core/errors.js';
import { describeTarget, type RequisiteType, type StateDecl } from '../core/state.js';

export interface Edge {
  /** The state depended upon. */
  from: string;
  /** The dependant. */
  to: string;
  type: RequisiteType;
}

export interface Graph {
  /** States in execution order. */
  order: StateDecl[];
  /** For each state key, the requisites it has (already inverted for `_in`). */
  incoming: Map<string, Edge[]>;
  /** `listen` edges: no effect on order; the listener reacts once, after every state has run. */
  listen: Edge[];
}

function matches(decl: StateDecl, target: { kind?: string; ref: string }): boolean {
  if (target.kind && decl.kind !== target.kind) return false;
  return decl.id === target.ref || (target.kind !== undefined && decl.name === target.ref);
}

/**
 * `unloaded`: state files that failed to render or parse; a requisite on such an sls is not
 * reported again as "matches no state" (the file's own problem says what is wrong).
 */
export function buildGraph(decls: StateDecl[], problems: Problem[], unloaded: ReadonlySet<string> = new Set()): Graph {
  const incoming = new Map<string, Edge[]>(decls.map((d) => [d.key, []]));
  const listen: Edge[] = [];
  const seen = new Set<string>();
  for (const decl of decls) {
    for (const req of decl.requisites) {
      const t = req.target;
      const targets = 'sls' in t ? decls.filter((d) => d.sls === t.sls) : decls.filter((d) => matches(d, t));
      if (targets.length === 0 && !('sls' in t && unloaded.has(t.sls))) {
        problems.push({
          file: decl.file,
          line: req.line,
          id: decl.id,
          field: req.type + (req.inverted ? '_in' : ''),
          message: `requisite '${describeTarget(t)}' matches no state`,
        });
      }
      for (const target of targets) {
        if (target.key === decl.key) continue;
        const [from, to] = req.inverted ? [decl.key, target.key] : [target.key, decl.key];
        const tag = `${from}>${to}>${req.type}`;
        if (seen.has(tag)) continue;
        seen.add(tag);
        if (req.type === 'listen') listen.push({ from, to, type: req.type });
        else incoming.get(to)!.push({ from, to, type: req.type });
      }
    }
  }
  return { order: topoOrder(decls, incoming, problems), incoming, listen };
}

/**
 * Salt's `order`: numbers first (ascending), then states without one, then `last`; negative
 * numbers count back from the end. Ties keep file order.
 */
function orderRank(decls: StateDecl[]): (d: StateDecl) => number {
  const numbers = decls.map((d) => d.order).filter((o): o is number => typeof o === 'number');
  const cap = Math.max(0, ...numbers.filter((n) => n > 0)) + 100;
  return (d) => {
    const o = d.order;
    if (o === undefined) return cap;
    if (o === 'first') return 0;
    if (o === 'last') return cap + 1_000_000;
    return o < 0 ? cap + 1_000_000 + o : o;
  };
}

/**
 * Kahn's algorithm over states sorted by (order, definition order): always the first ready one.
 * Every requisite holds; unlike Salt, which pulls a state's requisites forward to just before it,
 * a state never runs ahead of one written above it that is ready (a state file may rely on that:
 * a file before the directory above it, with no requisite between them).
 */
function topoOrder(decls: StateDecl[], incoming: Map<string, Edge[]>, problems: Problem[]): StateDecl[] {
  const byKey = new Map(decls.map((d) => [d.key, d]));
  const rank = orderRank(decls);
  const sorted = [...decls].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  const waiting = new Map(decls.map((d) => [d.key, new Set(incoming.get(d.key)!.map((e) => e.from))]));
  const order: StateDecl[] = [];
  const done = new Set<string>();
  while (order.length < decls.length) {
    const ready = sorted.find((d) => !done.has(d.key) && [...waiting.get(d.key)!].every((k) => done.has(k)));
    if (!ready) break;
    order.push(ready);
    done.add(ready.key);
  }
  if (order.length < decls.length) {
    const reported = new Set<string>();
    for (const d of decls) {
      if (done.has(d.key) || reported.has(d.key)) continue;
      const cycle = findCycle(d.key, waiting, done);
      // A state that only waits on a cycle finds that same cycle again: report it once.
      if (!cycle || cycle.every((k) => reported.has(k))) continue;
      cycle.forEach((k) => reported.add(k));
      const names = cycle.map((k) => byKey.get(k)!.id);
      const first = byKey.get(cycle[0])!;
      problems.push({ file: first.file, line: first.line, id: first.id, message: `requisite cycle: ${[...names, names[0]].join(' → ')}` });
    }
  }
  return order;
}

function findCycle(start: string, waiting: Map<string, Set<string>>, done: Set<string>): string[] | undefined {
  const path: string[] = [];
  const onPath = new Set<string>();
  const visited = new Set<string>();
  const visit = (k: string): string[] | undefined => {
    if (onPath.has(k)) return path.slice(path.indexOf(k));
    if (visited.has(k) || done.has(k)) return undefined;
    visited.add(k);
    onPath.add(k);
    path.push(k);
    for (const dep of waiting.get(k) ?? []) {
      const c = visit(dep);
      if (c) return c;
    }
    path.pop();
    onPath.delete(k);
    return undefined;
  };
  return visit(start);
}
