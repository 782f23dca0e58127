// Unit state for service plans, read with one systemctl show for every unit the run declares,
// and the systemctl changes those plans return.
import { CommandError, StateFailure, UnknownError } from '../../core/errors.js';
import type { Change } from '../resource.js';
import { showUnits, type UnitState } from './systemd.js';
import { run } from '../../host/run.js';
import type { Host, HostView } from '../../host/types.js';
import { declared } from '../declared.js';

// Where a unit file written in this run would be; systemd may not have looked at it yet.
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

/**
 * The unit's state. One systemctl show asks about every unit the run declares (started by
 * prefetch, so it runs while earlier states plan); plans reuse it until a change is applied
 * (the fact cache is then dropped). A unit nobody declared is asked about on its own.
 */
export async function unitState(host: HostView, unit: string): Promise<UnitState> {
  const cache = await declaredUnits(host);
  if (!cache.has(unit)) for (const [u, s] of await showUnits(host, [unit])) cache.set(u, s);
  const real = cache.get(unit)!;
  // In a dry run, what the changes planned so far did to the unit (daemon-reload, enable, start).
  const predicted = host.predicted?.('unit', unit) as Partial<UnitState> | undefined;
  if (predicted) return { ...real, ...predicted };
  const st = real;
  const file = st.loadState === 'not-found' && !st.needDaemonReload ? await unitFileOnDisk(host, unit) : undefined;
  // A unit file a dry run predicts: systemd loads a unit it has not seen on demand, from disk.
  const made = file ? host.predicted?.('file', file) : undefined;
  // A unit a pending package ships: whether its scripts enable and start it is for them to say.
  if (file && made?.packaged) throw new UnknownError(file, String(made.packaged), String(made.until));
  if (file && made?.written) {
    const install = /^\s*\[Install\]/m.test((await host.readFile(file)) ?? '');
    return { ...st, loadState: 'loaded', unitFileState: install ? 'disabled' : 'static', activeState: 'inactive', subState: 'dead' };
  }
  // systemd can remember a unit as not found after its file appeared; a daemon-reload fixes that.
  if (file) return { ...st, needDaemonReload: true };
  return st;
}

export function declaredUnits(host: HostView): Promise<Map<string, UnitState>> {
  return host.facts.get('systemd-units', () => showUnits(host, [...new Set(declared<string>(host, 'systemd-unit'))]));
}

async function unitFileOnDisk(host: HostView, unit: string): Promise<string | undefined> {
  const found = await Promise.all(UNIT_DIRS.map((d) => host.stat(`${d}/${unit}`)));
  const i = found.findIndex((s) => s !== null);
  return i < 0 ? undefined : `${UNIT_DIRS[i]}/${unit}`;
}

/** Running, or on its way there; a unit waiting to be restarted after a crash is not. */
export const isActive = (st: UnitState): boolean =>
  st.activeState === 'active' || st.activeState === 'reloading' || (st.activeState === 'activating' && st.subState !== 'auto-restart');

/** Exists for systemd (or will after the daemon-reload the plan starts with). */
export const isKnown = (st: UnitState): boolean => st.loadState !== 'not-found' || st.needDaemonReload;

const ENABLED = ['enabled', 'enabled-runtime', 'alias', 'linked', 'linked-runtime'];
// Units with these unit file states are started by others and have nothing to enable.
const NOT_ENABLEABLE = ['static', 'indirect', 'generated', 'transient', ''];

/** Changes for `enable: true|false`; a comment when there is nothing systemctl could do. */
export function enablement(unit: string, st: UnitState, enable: boolean | undefined): { changes: Change[]; comment?: string } {
  if (enable === undefined) return { changes: [] };
  // A unit systemd has not loaded yet (its file is new) counts as disabled until the daemon-reload.
  const current = st.loadState === 'not-found' ? 'disabled' : st.unitFileState;
  if (enable === ENABLED.includes(current)) return { changes: [] };
  if (enable && current === 'masked') throw new StateFailure(`${unit} is masked; unmask it to enable it`);
  if (enable && NOT_ENABLEABLE.includes(current)) return { changes: [], comment: `${unit} is ${current || 'without a unit file'}: nothing to enable` };
  return { changes: [systemctl(enable ? 'enable' : 'disable', unit, { enabled: { old: current || null, new: enable } })] };
}

/** Changes that start or restart the service: a watch reaction is not needed after one of them. */
export const startsService = new WeakSet<Change>();

type Verb = 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable';

/** How each verb leaves the unit, as systemctl show would tell it afterwards. */
const EFFECT: Record<Verb, Partial<UnitState>> = {
  start: { activeState: 'active', subState: 'running' },
  restart: { activeState: 'active', subState: 'running' },
  reload: { activeState: 'active', subState: 'running' },
  stop: { activeState: 'inactive', subState: 'dead' },
  enable: { unitFileState: 'enabled' },
  disable: { unitFileState: 'disabled' },
};

export function systemctl(verb: Verb, unit: string, detail: Record<string, unknown>, summary = `${verb} ${unit}`): Change {
  const change: Change = {
    summary,
    detail,
    // A restart or reload leaves nothing to read back.
    converges: verb !== 'restart' && verb !== 'reload',
    async predict(o) {
      o.setFact('unit', unit, EFFECT[verb]);
    },
    async apply(h) {
      const argv = ['systemctl', verb, unit];
      const r = await h.exec(argv);
      if (r.exitCode !== 0) throw new StateFailure(`${new CommandError(argv, r).message}${await journalTail(h, unit)}`);
    },
  };
  if (verb === 'start' || verb === 'restart' || verb === 'reload') startsService.add(change);
  return change;
}

/** The unit's last log lines, so a failed start says why without another command by hand. */
async function journalTail(h: Host, unit: string): Promise<string> {
  const r = await h.query(['journalctl', '-u', unit, '-n', '10', '--no-pager', '-o', 'cat']);
  const text = r.exitCode === 0 ? r.stdout.trim() : '';
  return text ? `\nlast log lines of ${unit}:\n${text}` : '';
}

/** One `systemctl daemon-reload`: after it no unit needs one, so later plans see nothing to do. */
export function daemonReload(unit: string): Change {
  return {
    summary: `systemctl daemon-reload (${unit} changed on disk)`,
    // After it systemd knows the unit file: a new one loads, disabled and inactive.
    async predict(o) {
      const st = await unitState(o, unit);
      const fresh = st.loadState === 'not-found';
      o.setFact('unit', unit, { needDaemonReload: false, ...(fresh ? { loadState: 'loaded', unitFileState: 'disabled', activeState: 'inactive', subState: 'dead' } : {}) });
    },
    async apply(h) {
      await run(h, ['systemctl', 'daemon-reload']);
    },
  };
}
