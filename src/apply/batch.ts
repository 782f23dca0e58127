// Batches: before the ordered pass, the states of functions that can apply together (every
// pkg.installed/pkg.latest of a run in one apt-get) are planned and applied at once, as far as
// their requisites allow — a state joins only if everything it requires is in the same batch.
// --test shows the same grouping; apply reports each state's own part of the transaction.
import type { Compiled } from '../compile/load.js';
import type { Host, HostView } from '../host/types.js';
import type { Overlay } from '../host/predicted.js';
import type { Batch, Change, Registry, ResourceFunction } from '../resources/resource.js';
import type { StateDecl } from '../core/state.js';

export interface Batched {
  /** The state's planned changes, already applied by the batch (apply) or to be (--test). */
  changes: Change[];
  /** "in one apt transaction with 3 other states (ufw, sudo, nginx-light)". */
  comment: string;
}

const ORDER_ONLY = new Set(['require', 'watch']);

/** States that may join their function's batch, grouped by batch: the ordered pass's prefix. */
function candidates(c: Compiled, registry: Registry): Map<string, StateDecl[]> {
  const fnOf = (d: StateDecl) => registry[d.kind]?.[d.fn] as ResourceFunction | undefined;
  const groupOf = new Map<string, string>();
  const groups = new Map<string, StateDecl[]>();
  // A state given an explicit `order` runs where it says: nothing after it is taken ahead of it.
  let pinned = false;
  for (const d of c.graph.order) {
    const group = fnOf(d)?.batch?.group;
    const ordered = d.order !== undefined && d.order !== 'last';
    if (!group || pinned || ordered) {
      pinned ||= ordered;
      continue;
    }
    // Its unless/onlyif/creates are checked in the ordered pass: a batch never skips that check.
    if (d.conditions.length) continue;
    const edges = c.graph.incoming.get(d.key) ?? [];
    // Everything it waits for must be in the batch too: a pkgrepo, a debconf answer or any other
    // kind of state comes first in the ordered pass, and so then does this state.
    if (!edges.every((e) => ORDER_ONLY.has(e.type) && groupOf.get(e.from) === group)) continue;
    groupOf.set(d.key, group);
    groups.set(group, [...(groups.get(group) ?? []), d]);
  }
  return groups;
}

/**
 * Plans the batchable states and, given a host to write to, applies each group at once. Returns
 * the states a batch took (with their changes): the ordered pass reports them without applying
 * them again. A state whose plan fails, or that has nothing to do, is left to the ordered pass.
 */
export async function runBatches(c: Compiled, registry: Registry, view: HostView, writer: Host | undefined, varDir: string, predicted?: Overlay): Promise<Map<string, Batched>> {
  const taken = new Map<string, Batched>();
  for (const decls of candidates(c, registry).values()) {
    const items: { decl: StateDecl; spec: unknown; changes: Change[] }[] = [];
    for (const decl of decls) {
      const fn = registry[decl.kind][decl.fn] as ResourceFunction;
      const spec = c.specs.get(decl.key);
      try {
        const plan = await fn.plan(spec, { host: view, decl, varDir, secrets: c.secrets });
        if (plan.changes.length && fn.batch!.accepts(plan.changes)) items.push({ decl, spec, changes: plan.changes });
      } catch {
        /* the ordered pass plans it again and reports why */
      }
    }
    if (items.length < 2) continue;
    const batch = (registry[items[0].decl.kind][items[0].decl.fn] as ResourceFunction).batch as Batch;
    if (writer) {
      try {
        await batch.apply(items, writer);
      } catch {
        // Each state on its own in the ordered pass: a failing package fails only its own state.
        continue;
      } finally {
        writer.invalidate();
      }
    } else if (predicted && batch.predict) {
      // --test: the transaction's effect laid over the predicted host before any state plans, as
      // the real run applies it before the ordered pass; the states' own predictions then add nothing.
      try {
        await batch.predict(items, predicted);
        for (const it of items) it.changes = it.changes.map((ch) => ({ ...ch, predict: async () => {} }));
      } catch {
        /* each state predicts its own part */
      }
    }
    const names = items.map((it) => it.decl.id);
    for (const it of items) {
      const others = names.filter((n) => n !== it.decl.id);
      const comment = `in one ${batch.group} transaction with ${others.length} other state${others.length === 1 ? '' : 's'} (${others.join(', ')})`;
      taken.set(it.decl.key, { changes: it.changes, comment });
    }
  }
  return taken;
}
