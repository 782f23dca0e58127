// Top files (states/top.yaml, pillar/top.yaml): ENV → TARGET → [names], Salt's shape.
import type { Problem } from '../core/errors.js';
import type { Facts } from './facts.js';
import { parseYaml } from './sls.js';
import { isMap, isSeq, isScalar, type Node } from 'yaml';

export interface TopEntry {
  name: string;
  line: number;
  /** Salt's `- ignore_missing: true` in the target's list: a missing file is skipped, not an error. */
  optional: boolean;
}

/** Names selected for this host: `base` first, then the environment's own, each in file order. */
export function selectFromTop(text: string, file: string, facts: Facts, problems: Problem[]): TopEntry[] {
  const { doc, lineOf, ok } = parseYaml(text, file, problems);
  if (!ok || doc.contents === null) return [];
  if (!isMap(doc.contents)) {
    problems.push({ file, line: 1, message: 'top file must map ENV → TARGET → [names]' });
    return [];
  }
  const out: TopEntry[] = [];
  const seen = new Set<string>();
  for (const env of facts.env === 'base' ? ['base'] : ['base', facts.env]) {
    const targets = doc.contents.get(env, true) as Node | undefined;
    if (targets === undefined) continue;
    if (!isMap(targets)) {
      problems.push({ file, line: lineOf(targets), message: `'${env}' must map TARGET → [names]` });
      continue;
    }
    for (const pair of targets.items) {
      const target = String((pair.key as { value?: unknown }).value);
      const names = pair.value as Node;
      const isName = (n: unknown) => isScalar(n) && typeof n.value === 'string';
      const flags = isSeq(names) ? names.items.filter((n) => !isName(n)) : [];
      const flag = flags.length === 1 ? ignoreMissing(flags[0]) : undefined;
      const optional = flag === true;
      if (!isSeq(names) || flags.length > (flag === undefined ? 0 : 1)) {
        problems.push({ file, line: lineOf(pair.key), message: `target '${target}' must list names (and at most one \`ignore_missing: true\`)` });
        continue;
      }
      if (!matchesTarget(target, facts)) continue;
      for (const n of names.items.filter(isName)) {
        const name = String((n as { value: string }).value);
        if (!seen.has(name)) out.push({ name, line: lineOf(n), optional });
        seen.add(name);
      }
    }
  }
  return out;
}

/** Salt's flag item `- ignore_missing: BOOL`: its value, or undefined when the item is something else. */
function ignoreMissing(n: unknown): boolean | undefined {
  if (!isMap(n) || n.items.length !== 1) return undefined;
  const { key, value } = n.items[0];
  const ok = isScalar(key) && key.value === 'ignore_missing' && isScalar(value) && typeof value.value === 'boolean';
  return ok ? (value.value as boolean) : undefined;
}

/** `'*'`, a hostname glob, or `roles:NAME` (NAME may be a glob too). */
export function matchesTarget(target: string, facts: Facts): boolean {
  const role = /^roles?:(.+)$/.exec(target);
  if (role) return facts.roles.some((r) => globToRegExp(role[1]).test(r));
  return [facts.id, facts.hostname, facts.fqdn].some((h) => h && globToRegExp(target).test(h));
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
