// debconf.set: answers to a package's debconf questions (Salt's `data: {question: {type, value}}`),
// read from debconf's own database and set with debconf-set-selections (values on stdin).
import type { ResourceFunction, ResourceKind } from './resource.js';
import type { HostView } from '../host/types.js';
import { run } from '../host/run.js';

interface Answer {
  question: string;
  type: string;
  value: string;
}

interface DebconfSpec {
  pkg: string;
  answers: Answer[];
}

const TYPES = ['string', 'boolean', 'select', 'multiselect', 'note', 'text', 'password', 'title', 'error'];
const DB = { config: '/var/cache/debconf/config.dat', password: '/var/cache/debconf/passwords.dat' };

/** debconf's database (RFC822-like stanzas) → question → value. */
export function parseDebconfDb(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Name: (.*)$/m.exec(stanza)?.[1];
    const value = /^Value: ?(.*)$/m.exec(stanza)?.[1];
    if (name) out.set(name, value ?? '');
  }
  return out;
}

async function current(host: HostView): Promise<Map<string, string>> {
  return host.facts.get('debconf', async () => {
    const [config, passwords] = await Promise.all([host.readFile(DB.config), host.readFile(DB.password)]);
    return new Map([...parseDebconfDb(config ?? ''), ...parseDebconfDb(passwords ?? '')]);
  });
}

export const set: ResourceFunction<DebconfSpec> = {
  parse(a) {
    const pkg = a.name;
    if (!/^[a-z0-9][a-z0-9+.-]*$/.test(pkg)) a.problem('name', `not a Debian package name: ${JSON.stringify(pkg)}`);
    const data = a.mapping('data') ?? {};
    if (!a.has('data')) a.problem('data', 'is required');
    const answers: Answer[] = [];
    for (const [question, v] of Object.entries(data)) {
      const q = v as { type?: unknown; value?: unknown } | null;
      if (!/^[\w.+-]+\/[\w./+-]+$/.test(question)) a.problem('data', `not a debconf question: ${JSON.stringify(question)}`);
      else if (!q || typeof q !== 'object' || typeof q.type !== 'string' || !TYPES.includes(q.type)) a.problem('data', `${question}: expected {type: ${TYPES.slice(0, 4).join('|')}|…, value: …}`);
      else if (q.value === undefined || q.value === null || typeof q.value === 'object' || /\n/.test(String(q.value))) a.problem('data', `${question}: value must be one line`);
      else answers.push({ question, type: q.type, value: String(q.value) });
    }
    return { pkg, answers };
  },
  async plan(spec, { host }) {
    const now = await current(host);
    const todo = spec.answers.filter((x) => now.get(x.question) !== x.value);
    if (!todo.length) return { changes: [] };
    const shown = (x: Answer, v: string | undefined) => (v === undefined ? 'unset' : x.type === 'password' ? '********' : JSON.stringify(v));
    const argv = ['debconf-set-selections'];
    return {
      changes: todo.map((x) => ({
        summary: `${x.question}: ${shown(x, now.get(x.question))} → ${shown(x, x.value)}`,
        async apply(h) {
          await run(h, argv, { input: `${spec.pkg} ${x.question} ${x.type} ${x.value}\n` });
        },
      })),
    };
  },
};

export const debconf: ResourceKind = { set };
