// sysctl.present: a kernel parameter's running value (/proc/sys) and its line in a config file that
// many states share, each owning its own key's line (read-modify-write, so states never clobber each other).
import { dirname, isAbsolute } from 'node:path';
import { unifiedDiff } from '../core/diff.js';
import { MissingError } from '../core/errors.js';
import { run } from '../host/run.js';
import type { Change, ResourceFunction, ResourceKind } from './resource.js';
import type { FileWriter } from '../host/types.js';

export interface SysctlSpec {
  key: string;
  value: string;
  config: string;
}

const HEADER = '# Managed by brine: each line belongs to one sysctl.present state.';

/** `a.b.c` and `a/b/c` name the same key; slashes allow dots inside a part (VLAN eth0.100). */
const sameKey = (a: string, b: string) => a.replace(/\//g, '.') === b.replace(/\//g, '.');
/** The kernel shows multi-part values tab-separated ("4096\t131072\t6291456"). */
const norm = (v: string) => v.trim().split(/\s+/).join(' ');
const procPath = (key: string) => `/proc/sys/${key.includes('/') ? key : key.replace(/\./g, '/')}`;

/** A setting line of sysctl.d(5): `key = value`, optionally with systemd's leading '-'. */
function setting(line: string): { key: string; value: string } | undefined {
  const m = /^\s*-?\s*([^\s=#;][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
  return m ? { key: m[1], value: m[2] } : undefined;
}

/** The shared file with this state's line in place, every other line as it was (pure). */
export function editConfig(spec: SysctlSpec, text: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const wanted = `${spec.key} = ${spec.value}`;
  let placed = false;
  const out: string[] = [];
  for (const line of lines) {
    const s = setting(line);
    if (!s || !sameKey(s.key, spec.key)) out.push(line);
    // The first line for the key is ours; later ones would override it at boot, so they go.
    else if (!placed) {
      out.push(norm(s.value) === norm(spec.value) ? line : wanted);
      placed = true;
    }
  }
  if (!placed) out.push(...(out.length ? [] : [HEADER]), wanted);
  return out.join('\n') + '\n';
}

export const present: ResourceFunction<SysctlSpec> = {
  parse(a) {
    const key = a.name;
    // An empty part would be "..", a leading dot or "//": never a key, maybe a path trick.
    if (!/^[A-Za-z0-9_.:@/-]+$/.test(key) || key.split(/[./]/).includes('')) a.problem('name', `not a sysctl key: ${JSON.stringify(key)}`);
    const value = a.required('value');
    if (/[\n#;]/.test(value) || !value.trim()) a.problem('value', 'must be one non-empty line without # or ;');
    const config = a.str('config', '/etc/sysctl.d/99-brine.conf');
    if (!isAbsolute(config)) a.problem('config', `must be an absolute path, got ${JSON.stringify(config)}`);
    return { key, value: norm(value), config };
  },

  async plan(spec, { host }) {
    const running = await host.readFile(procPath(spec.key));
    if (running === null) throw new MissingError(`no such kernel parameter: ${spec.key} (${procPath(spec.key)} does not exist)`);
    if (!(await host.stat(dirname(spec.config)))) throw new MissingError(`directory ${dirname(spec.config)} does not exist`);
    const current = await host.readFile(spec.config);
    const next = editConfig(spec, current ?? '');
    const changes: Change[] = [];
    const writeConfig = async (h: FileWriter) => h.writeFile(spec.config, editConfig(spec, (await h.readFile(spec.config)) ?? ''), { mode: 0o644, uid: 0, gid: 0 });
    if (next !== current) {
      changes.push({
        summary: `${current === null ? 'create' : 'update'} ${spec.config}: ${spec.key} = ${spec.value}`,
        diff: unifiedDiff(spec.config, current, next),
        // Re-read at apply time: other sysctl states may have written their lines since.
        apply: writeConfig,
        predict: writeConfig,
      });
    }
    if (norm(running) !== spec.value) {
      const argv = ['sysctl', '-w', `${spec.key}=${spec.value}`];
      changes.push({
        summary: `${spec.key}: ${norm(running)} → ${spec.value} (running)`,
        detail: { value: { old: norm(running), new: spec.value } },
        apply: async (h) => {
          await run(h, argv);
        },
        // brine reads the running value from /proc/sys.
        predict: (o) => o.writeFile(procPath(spec.key), `${spec.value}\n`),
      });
    }
    return { changes };
  },
};

export const sysctl: ResourceKind = { present };
