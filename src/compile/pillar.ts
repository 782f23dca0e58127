// Pillar: files selected by pillar/top.yaml, deep-merged in order; values from any file
// named secrets.yaml are secrets, masked wherever brine prints.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Problem } from '../core/errors.js';
import { MIN_SECRET_LENGTH, Secrets, tooShortToMask } from '../core/secrets.js';
import type { Facts } from './facts.js';
import { parseYaml } from './sls.js';
import { cachedParse } from './template-cache.js';
import { selectFromTop } from './top.js';
import { jinjaProblem } from './jinja.js';

export type Pillar = Record<string, unknown>;

export interface LoadedPillar {
  data: Pillar;
  secrets: Secrets;
  /** The merged data of the secrets.yaml files alone (templates see it as `secrets`). */
  secretData: Pillar;
  /** Pillar files used, relative to the project dir (what `provision` uploads). */
  files: string[];
}

/** `a.b` → a/b.yaml or a/b/init.yaml under root; the first that exists. */
export function resolveName(root: string, name: string): string | undefined {
  const base = join(root, ...name.split('.'));
  return [`${base}.yaml`, `${base}.yml`, join(base, 'init.yaml'), join(base, 'init.yml')].find((p) => existsSync(p));
}

export function loadPillar(dir: string, facts: Facts, problems: Problem[]): LoadedPillar {
  const root = join(dir, 'pillar');
  const topFile = join(root, 'top.yaml');
  const out: LoadedPillar = { data: {}, secrets: new Secrets(), secretData: {}, files: [] };
  if (!existsSync(topFile)) return out;
  const rel = (p: string) => relative(dir, p) || p;
  const entries = selectFromTop(readFileSync(topFile, 'utf8'), rel(topFile), facts, problems);
  for (const { name, line, optional } of entries) {
    const path = resolveName(root, name);
    if (!path && optional) continue;
    if (!path) {
      problems.push({ file: rel(topFile), line, message: `pillar '${name}' not found (looked for ${name.replace(/\./g, '/')}.yaml and …/init.yaml)` });
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const jinja = jinjaProblem(text);
    if (jinja) {
      problems.push({ file: rel(path), ...jinja });
      continue;
    }
    const secretFile = /(^|\/)secrets\.ya?ml$/.test(path);
    // A secrets file is parsed every run (and never kept): its lines name short secrets' keys.
    const before = problems.length;
    const parse = () => {
      const r = parseYaml(text, rel(path), problems);
      return { ...r, value: r.ok ? ((r.doc.toJSON() as unknown) ?? {}) : undefined };
    };
    const full = secretFile ? parse() : undefined;
    const value = full ? full.value : cachedParse(`pillar\0${rel(path)}`, text, () => {
      const v = parse().value;
      return { value: v, keep: v !== undefined && problems.length === before };
    });
    if (value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ file: rel(path), line: 1, message: 'a pillar file must be a mapping' });
      continue;
    }
    out.files.push(rel(path));
    if (full) {
      const { doc, lineOf } = full;
      collectLeaves(value, [], (v, keys) => {
        if (!tooShortToMask(v)) return out.secrets.add(v);
        // Name the key, never the value: it is a secret even when it is too short to hide.
        const key = keys.map(String).join('.');
        problems.push({ file: rel(path), line: lineOf(doc.getIn(keys, true)) || undefined, message: `secret '${key}' is too short to be masked in output: a secret needs at least ${MIN_SECRET_LENGTH} characters (or none)` });
      });
      out.secretData = deepMerge(out.secretData, value as Pillar);
    }
    out.data = deepMerge(out.data, value as Pillar);
  }
  return out;
}

/** Mappings merge recursively; anything else (lists included) is replaced by the later file. */
export function deepMerge(a: Pillar, b: Pillar): Pillar {
  const out: Pillar = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = isPlainObject(old) && isPlainObject(v) ? deepMerge(old, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Pillar {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collectLeaves(value: unknown, keys: (string | number)[], visit: (v: unknown, keys: (string | number)[]) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => collectLeaves(v, [...keys, i], visit));
  else if (isPlainObject(value)) Object.entries(value).forEach(([k, v]) => collectLeaves(v, [...keys, k], visit));
  else visit(value, keys);
}

/** Salt's `a:b:c` path into the pillar; `secret` when it comes from secrets.yaml or holds a secret value. */
export function pillarAt(data: Pillar, secretData: Pillar, secrets: Secrets, path: string): { value: unknown; secret: boolean } | undefined {
  const at = (root: unknown) => path.split(':').reduce<unknown>((v, k) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), root);
  const value = at(data);
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { value, secret: at(secretData) !== undefined || secrets.within(text) };
}
