// locale.present: a locale generated on a Debian host — its line enabled in /etc/locale.gen
// (as /usr/share/i18n/SUPPORTED spells it), then locale-gen; `locale -a` says what exists.
import { MissingError } from '../core/errors.js';
import type { ResourceFunction, ResourceKind } from './resource.js';
import { lines, planEdit } from './file/edit.js';
import { run } from '../host/run.js';

interface LocaleSpec {
  name: string;
}

const GEN = '/etc/locale.gen';
const SUPPORTED = '/usr/share/i18n/SUPPORTED';

/** `en_US.UTF-8` and `en_US.utf8` name the same locale. */
const norm = (name: string) => name.replace(/\.([^@]*)/, (_, cs: string) => '.' + cs.toLowerCase().replace(/-/g, ''));

export const present: ResourceFunction<LocaleSpec> = {
  parse(a) {
    if (!/^[A-Za-z0-9_.@-]+$/.test(a.name)) a.problem('name', `not a locale name: ${JSON.stringify(a.name)}`);
    return { name: a.name };
  },
  async plan(spec, { host }) {
    const available = (await host.query(['locale', '-a'])).stdout.split('\n').map((l) => norm(l.trim()));
    if (available.includes(norm(spec.name))) return { changes: [] };
    const supported = await host.readFile(SUPPORTED);
    if (supported === null) throw new MissingError(`${SUPPORTED} does not exist (is the locales package installed?)`);
    const line = lines(supported).find((l) => l.split(' ')[0] === spec.name);
    if (!line) throw new MissingError(`locale ${spec.name} is not in ${SUPPORTED}`);
    const enable = (text: string | null) => {
      const all = lines(text ?? '');
      const i = all.findIndex((l) => l.replace(/^#\s*/, '') === line);
      if (i >= 0) all[i] = line;
      else all.push(line);
      return all.join('\n') + '\n';
    };
    const changes = await planEdit(host, { path: GEN, edit: enable, create: true, summary: () => `enable ${line} in ${GEN}` });
    const argv = ['locale-gen'];
    changes.push({
      summary: `generate ${spec.name}`,
      async apply(h) {
        await run(h, argv);
      },
    });
    return { changes };
  },
};

export const locale: ResourceKind = { present };
