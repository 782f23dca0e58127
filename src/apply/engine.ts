// The engine: plan every state in order against a read-only view; in --test stop there,
// otherwise apply each state's changes, re-plan it, and fail it if anything is left.
import type { Compiled } from '../compile/load.js';
import { readOnlyView } from '../host/read-only.js';
import type { Host, HostView } from '../host/types.js';
import { MissingError, ValidationError } from '../core/errors.js';
import type { Edge } from '../compile/requisites.js';
import type { Change, Registry, ResourceFunction } from '../resources/resource.js';
import { summarize, type Report, type Result, type StateResult } from './report-types.js';
import type { StateDecl } from '../core/state.js';
import { runBatches } from './batch.js';
import { skippedBy } from './conditions.js';
import { runListeners } from './listen.js';

export interface RunOptions {
  test: boolean;
  env: string;
  /** brine's own directory on the host (backups). */
  varDir: string;
  /** Called as each state starts and as it finishes (streaming output, events). */
  onStart?: (decl: StateDecl) => void;
  onState?: (result: StateResult) => void;
}

/**
 * In test mode the engine is handed only a HostView: there is no Host in scope to write with.
 * The overloads make that a type-level fact, not a convention.
 */
export function runStates(c: Compiled, registry: Registry, host: HostView, opts: RunOptions & { test: true }): Promise<Report>;
export function runStates(c: Compiled, registry: Registry, host: Host, opts: RunOptions): Promise<Report>;
export async function runStates(c: Compiled, registry: Registry, host: Host | HostView, opts: RunOptions): Promise<Report> {
  const started = Date.now();
  const view = readOnlyView(host);
  const writer = opts.test ? undefined : (host as Host);
  const results = new Map<string, StateResult>();
  const fnOf = (d: StateDecl) => registry[d.kind][d.fn] as ResourceFunction;
  const prefetchErrors = await prefetch(c, registry, view);
  const batched = await runBatches(c, registry, view, writer, opts.varDir);

  for (const decl of c.graph.order) {
    const t0 = Date.now();
    opts.onStart?.(decl);
    const result: StateResult = {
      id: decl.id,
      function: `${decl.kind}.${decl.fn}`,
      name: decl.name,
      sls: decl.sls,
      file: decl.file,
      line: decl.line,
      result: 'ok',
      changes: [],
      comment: '',
      durationMs: 0,
    };
    const finish = (r: Result, comment: string) => {
      result.result = r;
      result.comment = comment;
      result.durationMs = Date.now() - t0;
      results.set(decl.key, result);
      opts.onState?.(result);
    };
    const edges = c.graph.incoming.get(decl.key) ?? [];
    const gate = checkRequisites(edges, results);
    if (gate.skip) {
      finish(gate.skip.result, gate.skip.comment);
      continue;
    }
    const fn = fnOf(decl);
    const spec = c.specs.get(decl.key);
    const ctx = { host: view, decl, varDir: opts.varDir, secrets: c.secrets };
    const pendingNote = gate.pending.length ? `depends on ${gate.pending.join(', ')} (pending)` : '';
    try {
      const prefetchError = prefetchErrors.get(`${decl.kind}.${decl.fn}`);
      if (prefetchError) throw prefetchError;
      const skipped = await skippedBy(decl.conditions, view);
      if (skipped) {
        // In --test a pending requisite may still change what the check finds.
        finish(gate.pending.length && !writer ? 'pending' : 'ok', join(pendingNote, skipped));
        continue;
      }
      // A state a batch has applied already reports the changes it planned for the batch.
      const pre = writer ? batched.get(decl.key) : undefined;
      const plan = pre ? { changes: pre.changes } : await fn.plan(spec, ctx);
      let changes: Change[] = plan.changes;
      const comments = [plan.comment ?? '', batched.get(decl.key)?.comment ?? ''];
      if (gate.watched.length && fn.watch && !writer) {
        changes = [...changes, ...(await fn.watch(spec, ctx, changes))];
        comments.push(`watching ${gate.watched.join(', ')}`);
      }
      const toReport = (list: Change[]) => list.map(({ summary, diff, detail }) => ({ summary, diff, detail }));
      result.changes = toReport(changes);
      if (!writer) {
        finish(changes.length ? 'pending' : 'ok', join(pendingNote, ...comments));
        continue;
      }
      for (const change of pre ? [] : changes) {
        await change.apply(writer);
        writer.invalidate();
      }
      // Applying may add detail (a command's output); report what actually happened.
      result.changes = toReport(changes);
      if (changes.length) {
        const again = (await skippedBy(decl.conditions, view)) ? [] : (await fn.plan(spec, ctx)).changes;
        const left = again.filter((ch) => ch.converges !== false);
        if (left.length) {
          finish('failed', `some changes could not be applied: ${left.map((l) => l.summary).join('; ')}`);
          continue;
        }
      }
      if (gate.watched.length && fn.watch) {
        const reactions = await fn.watch(spec, ctx, changes);
        for (const change of reactions) {
          await change.apply(writer);
          writer.invalidate();
        }
        result.changes.push(...toReport(reactions));
        comments.push(`watching ${gate.watched.join(', ')}`);
      }
      finish(result.changes.length ? 'changed' : 'ok', join(...comments));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // In --test, what is missing may be what an earlier pending state will provide; a
      // validator is trusted only once the state's own requisites are in place.
      const validation = err instanceof ValidationError;
      const earlier = writer ? [] : validation ? gate.pending : err instanceof MissingError ? pendingBefore(results, gate.pending) : [];
      if (earlier.length) result.changes = (err as MissingError | ValidationError).changes;
      if (earlier.length) finish('pending', `depends on ${earlier.join(', ')} (pending); cannot ${validation ? 'validate' : 'plan'} yet: ${message}`);
      else finish('failed', message);
    }
  }
  const states = c.graph.order.map((d) => results.get(d.key)!);
  states.push(...(await runListeners(c, registry, view, writer, results, opts)));
  return { test: opts.test, env: opts.env, host: host.name, states, summary: summarize(states, Date.now() - started) };
}

/** Explicit requisites that are pending, else any earlier state that is pending. */
function pendingBefore(results: Map<string, StateResult>, requisites: string[]): string[] {
  if (requisites.length) return requisites;
  // One ID may hold several states (user.present and ssh_auth.manage alice): name it once.
  const pending = [...new Set([...results.values()].filter((r) => r.result === 'pending').map((r) => r.id))];
  return pending.length > 3 ? [...pending.slice(0, 3), `${pending.length - 3} more`] : pending;
}

const join = (...parts: string[]) => parts.filter(Boolean).join('; ');

interface Gate {
  skip?: { result: Result; comment: string };
  /** Requisites not yet applied (only in --test): named in the comment. */
  pending: string[];
  /** Watched states that changed (or would): the watcher reacts. */
  watched: string[];
}

function checkRequisites(edges: Edge[], results: Map<string, StateResult>): Gate {
  const idOf = (key: string) => key.split('|')[0];
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

/** One batched read per resource function (dpkg-query, systemctl show) before any plan. */
async function prefetch(c: Compiled, registry: Registry, view: HostView): Promise<Map<string, unknown>> {
  const errors = new Map<string, unknown>();
  const groups = new Map<string, { fn: ResourceFunction; specs: unknown[] }>();
  for (const d of c.graph.order) {
    const fn = registry[d.kind][d.fn] as ResourceFunction;
    if (!fn.prefetch) continue;
    const name = `${d.kind}.${d.fn}`;
    if (!groups.has(name)) groups.set(name, { fn, specs: [] });
    groups.get(name)!.specs.push(c.specs.get(d.key));
  }
  await Promise.all(
    [...groups].map(async ([name, g]) => {
      try {
        await g.fn.prefetch!(g.specs, view);
      } catch (err) {
        errors.set(name, err);
      }
    }),
  );
  return errors;
}
