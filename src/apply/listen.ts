// Salt's `listen`: once every state has run, each listener whose listened-to state changed (or,
// in --test, would change) reacts once (restart, rerun), reported as `kind.mod_watch`.
import type { Compiled } from '../compile/load.js';
import type { Host, HostView } from '../host/types.js';
import type { Registry, ResourceFunction } from '../resources/resource.js';
import type { StateResult } from './report-types.js';
import { skippedBy } from './conditions.js';

export async function runListeners(
  c: Compiled,
  registry: Registry,
  view: HostView,
  writer: Host | undefined,
  results: Map<string, StateResult>,
  opts: { varDir: string; onState?: (r: StateResult) => void },
): Promise<StateResult[]> {
  const out: StateResult[] = [];
  for (const decl of c.graph.order) {
    const heard = c.graph.listen.filter((e) => e.to === decl.key && ['changed', 'pending'].includes(results.get(e.from)?.result ?? ''));
    const own = results.get(decl.key);
    const fn = registry[decl.kind][decl.fn] as ResourceFunction;
    if (!heard.length || !own || own.result === 'failed' || !fn.watch) continue;
    const t0 = Date.now();
    const from = [...new Set(heard.map((e) => e.from.split('|')[0]))].join(', ');
    const result: StateResult = { ...own, function: `${decl.kind}.mod_watch`, result: 'ok', changes: [], comment: `listening to ${from}` };
    try {
      const skipped = await skippedBy(decl.conditions, view);
      const spec = c.specs.get(decl.key);
      const changes = skipped ? [] : await fn.watch(spec, { host: view, decl, varDir: opts.varDir, secrets: c.secrets }, []);
      if (skipped) result.comment += `; ${skipped}`;
      for (const change of writer ? changes : []) {
        await change.apply(writer!);
        writer!.invalidate();
      }
      result.changes = changes.map(({ summary, diff, detail }) => ({ summary, diff, detail }));
      result.result = changes.length ? (writer ? 'changed' : 'pending') : 'ok';
    } catch (err) {
      result.result = 'failed';
      result.comment = err instanceof Error ? err.message : String(err);
    }
    result.durationMs = Date.now() - t0;
    opts.onState?.(result);
    out.push(result);
  }
  return out;
}
