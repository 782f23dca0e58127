// timezone.system: the system time zone as Debian keeps it — /etc/localtime a link into
// /usr/share/zoneinfo, and the name in /etc/timezone (what tzdata and timedatectl read).
import type { Change, ResourceFunction, ResourceKind } from './resource.js';
import { MissingError } from '../core/errors.js';

interface TimezoneSpec {
  zone: string;
}

const ZONEINFO = '/usr/share/zoneinfo';

export const system: ResourceFunction<TimezoneSpec> = {
  parse(a) {
    const zone = a.name;
    if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) a.problem('name', `not a time zone name: ${JSON.stringify(zone)}`);
    // Salt's `utc` is about the hardware clock, which a container or VM does not own.
    if (!a.bool('utc', true)) a.problem('utc', 'a hardware clock in local time is not supported');
    return { zone };
  },
  async plan(spec, { host }) {
    const target = `${ZONEINFO}/${spec.zone}`;
    if ((await host.stat(target))?.type !== 'file') throw new MissingError(`unknown time zone ${spec.zone} (${target} does not exist; is tzdata installed?)`);
    const link = await host.stat('/etc/localtime');
    const named = (await host.readFile('/etc/timezone'))?.trim();
    const changes: Change[] = [];
    if (link?.type !== 'symlink' || link.target !== target) {
      const old = link?.type === 'symlink' ? link.target!.replace(`${ZONEINFO}/`, '') : link ? 'a copied file' : 'none';
      changes.push({
        summary: `time zone ${old} → ${spec.zone} (/etc/localtime)`,
        detail: { timezone: { old, new: spec.zone } },
        // host.symlink replaces atomically (a link made beside it, renamed over).
        apply: (h) => h.symlink(target, '/etc/localtime'),
      });
    }
    if (named !== spec.zone) {
      changes.push({
        summary: `/etc/timezone: ${named ?? 'missing'} → ${spec.zone}`,
        apply: (h) => h.writeFile('/etc/timezone', `${spec.zone}\n`, { mode: 0o644, uid: 0, gid: 0 }),
      });
    }
    return { changes };
  },
};

export const timezone: ResourceKind = { system };
