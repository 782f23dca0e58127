// What a state's requisites say before it plans: skip it (a requisite failed, no onchanges
// moved, no onfail failed), note pending ones, and which watched states moved.
import type { Edge } from '../compile/requisites.js';
import type { StateDecl } from '../core/state.js';
import type { Result, StateResult } from './report-types.js';

export interface Gate {
  skip?: { result: Result; comment: string };
  /** Requisites not yet applied (only in --test): named in the comment. */
  pending: string[];
  /** Watched states that changed (or would): the watcher reacts. */
  watched: string[];
}

export const idOf = (key: string) => key.split('|')[0];

/**
 * A state's result in the making and how it finishes (recorded, timed, streamed); a state its
 * requisites skip is finished already (`gate.skip`).
 */
export function startState(decl: StateDecl, edges: Edge[], results: Map<string, StateResult>, onState?: (r: StateResult) => void) {
  const t0 = Date.now();
  const result: StateResult = { id: decl.id, function: `${decl.kind}.${decl.fn}`, name: decl.name, sls: decl.sls, file: decl.file, line: decl.line, result: 'ok', changes: [], comment: '', durationMs: 0 };
  const finish = (r: Result, comment: string) => {
    Object.assign(result, { result: r, comment, durationMs: Date.now() - t0 });
    results.set(decl.key, result);
    onState?.(result);
  };
  const gate = checkRequisites(edges, results);
  if (gate.skip) {
    if (gate.skip.result === 'failed') result.skipped = true;
    finish(gate.skip.result, gate.skip.comment);
  }
  return { result, finish, gate };
}

/** Keys of this state's own requisites (not onfail) for which `test` holds. */
export function ownPending(edges: Edge[], test: (key: string) => boolean): string[] {
  return [...new Set(edges.filter((e) => e.type !== 'onfail' && test(e.from)).map((e) => e.from))];
}

export function checkRequisites(edges: Edge[], results: Map<string, StateResult>): Gate {
  const failed = edges.filter((e) => e.type !== 'onfail' && results.get(e.from)?.result === 'failed');
  if (failed.length) {
    return { skip: { result: 'failed', comment: `requisite failed: ${[...new Set(failed.map((e) => idOf(e.from)))].join(', ')}` }, pending: [], watched: [] };
  }
  const moved = (e: Edge) => ['changed', 'pending'].includes(results.get(e.from)?.result ?? '');
  const onchanges = edges.filter((e) => e.type === 'onchanges');
  if (onchanges.length && !onchanges.some(moved)) {
    return { skip: { result: 'ok', comment: 'not run: no changes in its onchanges requisites' }, pending: [], watched: [] };
  }
  const onfail = edges.filter((e) => e.type === 'onfail');
  if (onfail.length && !onfail.some((e) => results.get(e.from)?.result === 'failed')) {
    return { skip: { result: 'ok', comment: 'not run: its onfail requisites did not fail' }, pending: [], watched: [] };
  }
  const pending = [...new Set(edges.filter((e) => results.get(e.from)?.result === 'pending').map((e) => idOf(e.from)))];
  const watched = [...new Set(edges.filter((e) => e.type === 'watch' && moved(e)).map((e) => idOf(e.from)))];
  return { pending, watched };
}
