// The `service` kind on systemd: running (with Salt's watch → restart or reload), dead,
// enabled, disabled. Unit files changed on disk get one daemon-reload before anything else.
import type { Args } from '../../core/args.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import type { Change, Plan, ResourceFunction, ResourceKind } from '../resource.js';
import { unitName, type UnitState } from './systemd.js';
import type { HostView } from '../../host/types.js';
import { declare } from '../declared.js';
import { daemonReload, declaredUnits, enablement, isActive, isKnown, startsService, systemctl, unitState } from './units.js';

export interface ServiceSpec {
  unit: string;
  enable?: boolean;
  /** On watch: reload instead of restart when the unit supports it. */
  reload: boolean;
}

const UNIT = /^[A-Za-z0-9:_.\\@-]+$/;

function parseService(a: Args, opts: { enable: boolean; reload: boolean }): ServiceSpec {
  const unit = unitName(a.name);
  // The name reaches systemctl's argv: it must not read as an option.
  if (!UNIT.test(a.name) || a.name.startsWith('-')) a.problem('name', `not a systemd unit name: ${JSON.stringify(a.name)}`);
  return {
    unit,
    enable: opts.enable && a.has('enable') ? a.bool('enable', true) : undefined,
    reload: opts.reload ? a.bool('reload', false) : false,
  };
}

/**
 * Record the run's units, then start reading their states (not awaited): systemctl runs while the
 * states before the first service plan. setImmediate: after every service function's prefetch
 * (the engine starts them all at once) has declared its units. A failure surfaces in the first
 * plan, which asks again.
 */
const prefetch = async (specs: ServiceSpec[], host: HostView) => {
  declare(host, 'systemd-unit', specs.map((s) => s.unit));
  setImmediate(() => declaredUnits(host).catch(() => undefined));
};

/** The unit's state, or undefined when it does not exist and need not (`must`: a MissingError). */
async function known(host: HostView, unit: string, must = false): Promise<UnitState | undefined> {
  const st = await unitState(host, unit);
  if (isKnown(st)) return st;
  if (must) throw new MissingError(`unit ${unit} not found`);
  return undefined;
}

function plan(st: UnitState, unit: string, enable: boolean | undefined, run?: 'start' | 'stop'): Plan {
  const changes: Change[] = st.needDaemonReload ? [daemonReload(unit)] : [];
  const e = enablement(unit, st, enable);
  changes.push(...e.changes);
  if (run === 'start' && !isActive(st)) changes.push(systemctl('start', unit, { running: { old: st.activeState, new: 'active' } }));
  if (run === 'stop' && st.activeState !== 'inactive' && st.activeState !== 'failed' && isKnown(st)) {
    changes.push(systemctl('stop', unit, { running: { old: st.activeState, new: 'inactive' } }));
  }
  return { changes, comment: e.comment ?? (changes.length ? '' : `${st.activeState}, ${st.unitFileState || 'no unit file'}`) };
}

export const running: ResourceFunction<ServiceSpec> = {
  parse: (a) => parseService(a, { enable: true, reload: true }),
  prefetch,
  async plan(spec, { host }) {
    const st = (await known(host, spec.unit, true))!;
    if (st.loadState === 'masked') throw new StateFailure(`${spec.unit} is masked; it cannot be started`);
    return plan(st, spec.unit, spec.enable, 'start');
  },
  // Salt's mod_watch: restart (or reload) unless this state has just started the service.
  async watch(spec, { host }, own) {
    if (own.some((c) => startsService.has(c))) return [];
    const st = (await known(host, spec.unit, true))!;
    const verb = spec.reload && st.canReload ? 'reload' : 'restart';
    return [systemctl(verb, spec.unit, { [verb]: true }, `${verb} ${spec.unit} (a watched state changed)`)];
  },
};

export const dead: ResourceFunction<ServiceSpec> = {
  parse: (a) => parseService(a, { enable: true, reload: false }),
  prefetch,
  async plan(spec, { host }) {
    const st = await known(host, spec.unit);
    return st ? plan(st, spec.unit, spec.enable, 'stop') : { changes: [], comment: `${spec.unit} not found` };
  },
};

export const enabled: ResourceFunction<ServiceSpec> = {
  parse: (a) => parseService(a, { enable: false, reload: false }),
  prefetch,
  async plan(spec, { host }) {
    return plan((await known(host, spec.unit, true))!, spec.unit, true);
  },
};

export const disabled: ResourceFunction<ServiceSpec> = {
  parse: (a) => parseService(a, { enable: false, reload: false }),
  prefetch,
  async plan(spec, { host }) {
    const st = await known(host, spec.unit);
    return st ? plan(st, spec.unit, false) : { changes: [], comment: `${spec.unit} not found` };
  },
};

export const service: ResourceKind = { running, dead, enabled, disabled };
