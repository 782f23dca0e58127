// systemd unit facts: one `systemctl show -p … unit…` for many units, parsed from its
// blank-line-separated blocks (one per unit, in the order asked).
import { StateFailure } from '../../core/errors.js';
import type { HostView } from '../../host/types.js';

export const UNIT_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'CanReload', 'NeedDaemonReload'] as const;

export interface UnitState {
  /** loaded, not-found, masked, bad-setting, error. */
  loadState: string;
  /** active, inactive, failed, activating, deactivating, reloading. */
  activeState: string;
  subState: string;
  /** enabled, disabled, static, masked, indirect, generated, … ('' when the unit has no file). */
  unitFileState: string;
  canReload: boolean;
  /** The unit file (or a drop-in) changed on disk since systemd last loaded it. */
  needDaemonReload: boolean;
}

/** `nginx` → `nginx.service`, as systemctl itself reads a name without a unit type. */
export function unitName(name: string): string {
  return /\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)$/.test(name) ? name : `${name}.service`;
}

export function parseSystemctlShow(text: string, units: string[]): Map<string, UnitState> {
  // Empty properties are left out by systemctl, so a block never is empty: Id is always there.
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  if (blocks.length !== units.length) {
    throw new StateFailure(`systemctl show gave ${blocks.length} blocks for ${units.length} units (${units.join(' ')})`);
  }
  const out = new Map<string, UnitState>();
  units.forEach((unit, i) => {
    const p = new Map(blocks[i].split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
    out.set(unit, {
      loadState: p.get('LoadState') ?? '',
      activeState: p.get('ActiveState') ?? '',
      subState: p.get('SubState') ?? '',
      unitFileState: p.get('UnitFileState') ?? '',
      canReload: p.get('CanReload') === 'yes',
      needDaemonReload: p.get('NeedDaemonReload') === 'yes',
    });
  });
  return out;
}

/** Ask systemd about units in one process. */
export async function showUnits(host: HostView, units: string[]): Promise<Map<string, UnitState>> {
  if (!units.length) return new Map();
  const r = await host.query(['systemctl', 'show', '-p', UNIT_PROPERTIES.join(','), '--', ...units]);
  if (r.exitCode !== 0) {
    throw new StateFailure(`cannot read unit states (systemctl show exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  }
  return parseSystemctlShow(r.stdout, units);
}
