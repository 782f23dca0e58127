// The switch: `current` moves atomically to the release (the old one becomes `previous`), the
// service follows, and the health check decides. A failed check moves both links back, brings
// the service back onto the old release, and fails with the check's output.
import { StateFailure } from '../../core/errors.js';
import type { Host } from '../../host/types.js';
import type { Change } from '../resource.js';
import { healthCheck } from './health.js';
import { linkTarget, type Layout } from './layout.js';
import { bringUp } from './service.js';
import { unitName } from '../service/systemd.js';
import { unitState } from '../service/units.js';
import type { ReleaseSpec } from './spec.js';

export interface SwitchPlan {
  id: string;
  /** What `current` and `previous` point at now. */
  from?: string;
  previous?: string;
  /** The virtualenvs of the two releases differ: the service restarts instead of reloading. */
  restart: boolean;
  action: 'deploy' | 'rollback';
  by: string;
}

export function switchTo(l: Layout, spec: ReleaseSpec, s: SwitchPlan): Change {
  const how = s.restart ? 'restart' : 'reload (or start)';
  const check = spec.health ? `, health check ${spec.health.path}` : '';
  const change: Change = {
    summary: `switch current ${s.from ?? '(none)'} → ${s.id}${s.action === 'rollback' ? ' (rollback)' : ''}, ${how} ${spec.service}${check}`,
    detail: { release: { old: s.from ?? null, new: s.id } },
    // The links move and the service runs (the health check's verdict is for the real run).
    async predict(o) {
      await o.symlink(linkTarget(s.id), l.current);
      if (s.from && s.from !== s.id) await o.symlink(linkTarget(s.from), l.previous);
      const unit = unitName(spec.service);
      const st = await unitState(o, unit);
      o.setFact('unit', unit, { ...st, loadState: st.loadState === 'not-found' ? 'loaded' : st.loadState, needDaemonReload: false, activeState: 'active', subState: 'running' });
    },
    async apply(host: Host) {
      const wait = spec.health?.timeout ?? 30;
      await host.symlink(linkTarget(s.id), l.current);
      if (s.from && s.from !== s.id) await host.symlink(linkTarget(s.from), l.previous);
      const action = await bringUp(host, spec.service, s.restart, wait);
      const result = spec.health ? await healthCheck(host, spec.health) : { ok: true, output: '' };
      if (result.ok) {
        change.detail = { ...change.detail, service: action, healthcheck: result.output.split('\n')[0] ?? '' };
        await appendLog(host, l, { at: new Date().toISOString(), by: s.by, action: s.action, id: s.id, from: s.from ?? null });
        return;
      }
      let back = 'no earlier release to go back to';
      if (s.from && s.from !== s.id) {
        await host.symlink(linkTarget(s.from), l.current);
        if (s.previous) await host.symlink(linkTarget(s.previous), l.previous);
        else await host.remove(l.previous);
        await bringUp(host, spec.service, s.restart, wait);
        back = `switched back to ${s.from}`;
      }
      await appendLog(host, l, { at: new Date().toISOString(), by: s.by, action: 'failed', id: s.id, from: s.from ?? null });
      throw new StateFailure(`health check ${spec.health!.path} failed on release ${s.id}; ${back}:\n${result.output}`);
    },
  };
  return change;
}

async function appendLog(host: Host, l: Layout, entry: Record<string, unknown>): Promise<void> {
  const old = (await host.readFile(l.log)) ?? '';
  // The last 500 switches are plenty for `brine releases`.
  const lines = old.split('\n').filter(Boolean).slice(-499);
  await host.writeFile(l.log, [...lines, JSON.stringify(entry)].join('\n') + '\n', { mode: 0o644 });
}
