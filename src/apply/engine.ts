// The engine. Planning: every state in order against the *predicted* host (the real one with the
// effects of the changes planned before it laid over), then one lockout check over the whole run.
// --test stops there. Apply plans that way first (nothing changes if the check refuses), then
// applies each state's changes on the real host, re-plans it, and fails it if anything is left.
import type { Compiled } from '../compile/load.js';
import { readOnlyView } from '../host/read-only.js';
import { MemoryFactCache } from '../host/fact-cache.js';
import { PredictedHost, QUERY_FACTS } from '../host/predicted.js';
import type { Host, HostView } from '../host/types.js';
import { MissingError, UnknownError, ValidationError } from '../core/errors.js';
import type { Change, Plan, Registry, ResourceFunction } from '../resources/resource.js';
import { summarize, type Report, type StateResult } from './report-types.js';
import type { StateDecl } from '../core/state.js';
import { runBatches, type Batched } from './batch.js';
import { idOf, ownPending, startState } from './gate.js';
import { checkLockout } from './lockout.js';
import { skippedBy } from './conditions.js';
import { runListeners } from './listen.js';

export interface RunOptions {
  test: boolean;
  env: string;
  /** brine's own directory on the host (backups). */
  varDir: string;
  /** Who brine runs for (SUDO_USER, else the login): the lockout check keeps them able to log in. */
  loginUser?: string;
  /** Called as each state starts (events). */
  onStart?: (decl: StateDecl) => void;
  /** Called as each state finishes (streaming output, events). */
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
  // Before a real apply the plan serves the lockout check: what packages bring is unknown either way.
  const predicted = new PredictedHost(view, opts.test);
  const planned = await planStates(c, registry, predicted, opts.varDir, opts.test, opts.test ? opts : {});
  const lockout = await checkLockout(view, predicted, { user: opts.loginUser });
  const report = (states: StateResult[], test: boolean): Report => ({
    test,
    env: opts.env,
    host: host.name,
    states,
    summary: summarize(states, Date.now() - started),
    ...(lockout.refused ? { refused: lockout.refused } : {}),
    ...(lockout.notes.length ? { notes: lockout.notes } : {}),
  });
  if (opts.test || lockout.refused) return report(planned, opts.test);
  // Nothing to do anywhere: the plan is the report (a no-op apply plans once).
  if (planned.every((s) => s.result === 'ok')) {
    c.graph.order.forEach((d, i) => {
      opts.onStart?.(d);
      opts.onState?.(planned[i]);
    });
    return report(planned, false);
  }
  // The reads of commands the plan made (apt-cache policy, systemctl show) still hold: apply's
  // first plans use them instead of asking again; its first change drops them like any other.
  if (host.facts instanceof MemoryFactCache) host.facts.adopt(predicted.facts, QUERY_FACTS);
  return report(await applyStates(c, registry, host as Host, opts), false);
}

type Hooks = Pick<RunOptions, 'onStart' | 'onState'>;

const fnOf = (registry: Registry, d: StateDecl) => registry[d.kind][d.fn] as ResourceFunction;
const toReport = (list: Change[]) => list.map(({ summary, diff, detail }) => ({ summary, diff, detail }));
const join = (...parts: string[]) => parts.filter(Boolean).join('; ');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Plans every state against the predicted host, laying each plan's effects over it. */
async function planStates(c: Compiled, registry: Registry, predicted: PredictedHost, varDir: string, test: boolean, hooks: Hooks): Promise<StateResult[]> {
  const view = readOnlyView(predicted);
  const results = new Map<string, StateResult>();
  /** States whose effects the prediction does not hold (blocked, or a change without predict). */
  const unknown = new Map<string, string>();
  const prefetchErrors = await prefetch(c, registry, view);
  // How the pkg states would share one transaction (shown in --test; apply groups them anew, after
  // the lockout check). Nothing is predicted yet: this is the host as it is, with the prefetched reads.
  const grouping = test ? await runBatches(c, registry, view, undefined, varDir, predicted) : new Map<string, Batched>();
  for (const decl of c.graph.order) {
    const edges = c.graph.incoming.get(decl.key) ?? [];
    hooks.onStart?.(decl);
    const { result, finish, gate } = startState(decl, edges, results, hooks.onState);
    if (gate.skip) continue;
    const fn = fnOf(registry, decl);
    const spec = c.specs.get(decl.key);
    const ctx = { host: view, decl, varDir, secrets: c.secrets };
    // Requisites whose effects are not in the prediction: this state's plan may depend on them.
    const unsure = ownPending(edges, (k) => unknown.has(k));
    const dependsOn = (keys: string[]) => (keys.length ? `depends on ${keys.map((k) => `${idOf(k)} (${unknown.get(k)})`).join(', ')}` : '');
    let plan: Plan;
    try {
      const prefetchError = prefetchErrors.get(`${decl.kind}.${decl.fn}`);
      if (prefetchError) throw prefetchError;
      // A state of a batch is planned as the batch plans it: against the host before the batch
      // (what each package brings is counted as the real transaction reports it).
      // unless/onlyif/creates, checked on the host as it will be: the skip stands, unless a
      // requisite's effects are not predicted (they may change what the check finds).
      // A check run before the packages a requisite installs are there (a unit they ship, its
      // state after their scripts ran) could answer differently afterwards: not a prediction.
      const installs = decl.conditions.some((x) => x.type !== 'creates')
        ? edges.map((e) => results.get(e.from)).filter((r) => r?.function.startsWith('pkg.') && r.result === 'pending' && r.changes.length)
        : [];
      if (installs.length) {
        finish('pending', join(dependsOnPending(gate), `cannot plan yet: its ${decl.conditions.find((x) => x.type !== 'creates')!.type} check runs before what ${installs.map((r) => r!.id).join(', ')} install${installs.length > 1 ? '' : 's'} is there (unknown until installed)`));
        unknown.set(decl.key, 'pending');
        continue;
      }
      const skipped = await skippedBy(decl.conditions, view);
      if (skipped && unsure.length) {
        finish('pending', join(dependsOn(unsure), `cannot plan yet: ${skipped}, before their effects`));
        unknown.set(decl.key, 'pending');
        continue;
      }
      if (skipped) {
        finish('ok', join(dependsOnPending(gate), skipped));
        continue;
      }
      const pre = grouping.get(decl.key);
      plan = pre ? { changes: pre.changes } : await fn.plan(spec, ctx);
      if (gate.watched.length && fn.watch) {
        plan = { ...plan, changes: [...plan.changes, ...(await fn.watch(spec, ctx, plan.changes))] };
        plan.comment = join(plan.comment ?? '', `watching ${gate.watched.join(', ')}`);
      }
    } catch (err) {
      const known = fromError(err, [...new Set([...unknown.keys()].map(idOf))]);
      if (!known) {
        finish('failed', message(err));
        continue;
      }
      plan = known;
    }
    result.changes = toReport(plan.changes);
    const pendingNote = dependsOnPending(gate);
    if (plan.rejected && gate.pending.length) {
      // A validator may reject only for lack of what a pending requisite brings (the program a
      // unit starts, a certificate): pending; its effect is not predicted (it may not happen).
      finish('pending', join(pendingNote, `cannot validate yet: ${plan.rejected}`));
    } else if (plan.rejected) {
      finish('failed', plan.rejected);
      continue;
    } else if (plan.blocked) finish('pending', join(dependsOn(unsure) || pendingNote, plan.blocked));
    else {
      finish(plan.changes.length ? 'pending' : 'ok', join(pendingNote, plan.comment ?? '', grouping.get(decl.key)?.comment ?? ''));
      const missing = await predictAll(plan.changes, predicted);
      if (missing) unknown.set(decl.key, missing);
      continue;
    }
    unknown.set(decl.key, 'pending');
  }
  const states = c.graph.order.map((d) => results.get(d.key)!);
  if (test) states.push(...(await runListeners(c, registry, view, undefined, results, { varDir, onState: hooks.onState })));
  return states;
}

/**
 * A plan that threw, as data: blocked by something unknown, or rejected. Something missing is a
 * failure, as it will be in the real run, unless earlier states' effects are unknown (`unknown`):
 * one of them may bring it. No changes are shown then: they would be a guess.
 */
function fromError(err: unknown, unknown: string[]): Plan | undefined {
  if (err instanceof UnknownError) return { changes: [], blocked: err.message };
  if (err instanceof ValidationError) return { changes: [], rejected: err.message };
  if (err instanceof MissingError && unknown.length) {
    const names = unknown.length > 3 ? [...unknown.slice(0, 3), `${unknown.length - 3} more`] : unknown;
    return { changes: [], blocked: `cannot plan yet: ${err.message} (the effects of ${names.join(', ')} are not predicted)` };
  }
  return undefined;
}

/** "depends on a, b (pending)": the state's own requisites that have changes still to come. */
const dependsOnPending = (gate: { pending: string[] }) => (gate.pending.length ? `depends on ${gate.pending.join(', ')} (pending)` : '');

/** Lays each change's effect over the predicted host; says why when some effect is not known. */
async function predictAll(changes: Change[], predicted: PredictedHost): Promise<string | undefined> {
  for (const ch of changes) {
    if (!ch.predict) return `pending; "${ch.summary}" is not predicted`;
    try {
      await ch.predict(predicted);
    } catch (err) {
      return `pending; cannot predict "${ch.summary}": ${message(err)}`;
    }
  }
  return undefined;
}

/** Applies each state on the real host, re-planning it after its changes. */
async function applyStates(c: Compiled, registry: Registry, writer: Host, opts: RunOptions): Promise<StateResult[]> {
  const view = readOnlyView(writer);
  const results = new Map<string, StateResult>();
  const prefetchErrors = await prefetch(c, registry, view);
  const batched = await runBatches(c, registry, view, writer, opts.varDir);
  for (const decl of c.graph.order) {
    opts.onStart?.(decl);
    const { result, finish, gate } = startState(decl, c.graph.incoming.get(decl.key) ?? [], results, opts.onState);
    if (gate.skip) continue;
    const fn = fnOf(registry, decl);
    const spec = c.specs.get(decl.key);
    const ctx = { host: view, decl, varDir: opts.varDir, secrets: c.secrets };
    try {
      const prefetchError = prefetchErrors.get(`${decl.kind}.${decl.fn}`);
      if (prefetchError) throw prefetchError;
      const skipped = await skippedBy(decl.conditions, view);
      if (skipped) {
        finish('ok', skipped);
        continue;
      }
      // A state a batch has applied already reports the changes it planned for the batch.
      const pre = batched.get(decl.key);
      const plan: Plan = pre ? { changes: pre.changes } : await fn.plan(spec, ctx);
      const comments = [plan.comment ?? '', pre?.comment ?? ''];
      result.changes = toReport(plan.changes);
      if (plan.rejected || plan.blocked) {
        finish('failed', plan.rejected ?? plan.blocked!);
        continue;
      }
      for (const change of pre ? [] : plan.changes) {
        await change.apply(writer);
        writer.invalidate();
      }
      // Applying may add detail (a command's output); report what actually happened.
      result.changes = toReport(plan.changes);
      if (plan.changes.length) {
        const again = (await skippedBy(decl.conditions, view)) ? [] : (await fn.plan(spec, ctx)).changes;
        const left = again.filter((ch) => ch.converges !== false);
        if (left.length) {
          finish('failed', `some changes could not be applied: ${left.map((l) => l.summary).join('; ')}`);
          continue;
        }
      }
      if (gate.watched.length && fn.watch) {
        const reactions = await fn.watch(spec, ctx, plan.changes);
        for (const change of reactions) {
          await change.apply(writer);
          writer.invalidate();
        }
        result.changes.push(...toReport(reactions));
        comments.push(`watching ${gate.watched.join(', ')}`);
      }
      finish(result.changes.length ? 'changed' : 'ok', join(...comments));
    } catch (err) {
      finish('failed', message(err));
    }
  }
  const states = c.graph.order.map((d) => results.get(d.key)!);
  states.push(...(await runListeners(c, registry, view, writer, results, opts)));
  return states;
}

/** One batched read per resource function (dpkg-query, systemctl show) before any plan. */
async function prefetch(c: Compiled, registry: Registry, view: HostView): Promise<Map<string, unknown>> {
  const errors = new Map<string, unknown>();
  const groups = new Map<string, { fn: ResourceFunction; specs: unknown[] }>();
  for (const d of c.graph.order) {
    const fn = fnOf(registry, d);
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
