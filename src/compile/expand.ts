// Salt's expansions of the high data, in Salt's order: `extend` merges into states of other
// files, then `names` turns one declaration into one state per name with the shared arguments.
import type { Problem } from '../core/errors.js';
import { stateKey, type StateDecl } from '../core/state.js';
import type { Registry } from '../resources/resource.js';
import { checkName } from './sls.js';

/**
 * Each `extend:` entry names a state (ID and kind) declared somewhere in the run. As in Salt,
 * its requisites are added to the state's own, every other argument replaces the state's.
 */
export function applyExtends(decls: StateDecl[], extensions: StateDecl[], problems: Problem[]): void {
  const byKey = new Map(decls.map((d) => [d.key, d]));
  for (const ext of extensions) {
    const target = byKey.get(ext.key);
    if (!target) {
      problems.push({ file: ext.file, line: ext.line, id: ext.id, message: `extend: no state '${ext.id}' with ${ext.kind} in the states of this run` });
      continue;
    }
    if (ext.fn && ext.fn !== target.fn) {
      problems.push({ file: ext.file, line: ext.line, id: ext.id, message: `extend: '${ext.id}' is ${target.kind}.${target.fn}, not ${ext.kind}.${ext.fn}` });
      continue;
    }
    Object.assign(target.args, ext.args);
    Object.assign(target.argLines, ext.argLines);
    if ('name' in ext.args) target.name = ext.name;
    target.requisites.push(...ext.requisites);
    const replaced = new Set(ext.conditions.map((c) => c.type));
    target.conditions = [...target.conditions.filter((c) => !replaced.has(c.type)), ...ext.conditions];
    if (ext.order !== undefined) target.order = ext.order;
  }
}

/** `names: [a, b]` (or `- a: [{arg: value}]` items with their own arguments): one state per name. */
export function expandNames(decls: StateDecl[], registry: Registry, problems: Problem[]): StateDecl[] {
  return decls.flatMap((d) => {
    if (!('names' in d.args) || registry[d.kind]?.[d.fn]?.ownNames) return [d];
    const at = { file: d.file, line: d.argLines.names ?? d.line, id: d.id, field: 'names' };
    const names = d.args.names;
    if ('name' in d.args) problems.push({ ...at, message: 'give either name or names, not both' });
    if (!Array.isArray(names) || names.length === 0) {
      problems.push({ ...at, message: 'expected a non-empty list of names' });
      return [];
    }
    const { names: _, ...shared } = d.args;
    return names.flatMap((item, i) => {
      const one = nameItem(item);
      if (!one) {
        problems.push({ ...at, message: `expected a name or \`name: [{argument: value}]\`, got ${JSON.stringify(item)}` });
        return [];
      }
      checkName(one.name, d.kind, at, problems);
      const args = { ...shared, ...one.args, name: one.name };
      const argLines = { ...d.argLines, name: at.line };
      return [{ ...d, key: stateKey(d.id, d.kind, one.name), name: one.name, args, argLines, index: d.index + i / 1000, requisites: [...d.requisites], conditions: [...d.conditions] }];
    });
  });
}

function nameItem(item: unknown): { name: string; args: Record<string, unknown> } | undefined {
  if (typeof item === 'string' || typeof item === 'number') return { name: String(item), args: {} };
  if (!item || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length !== 1) return undefined;
  const [name, value] = Object.entries(item)[0];
  if (value && typeof value === 'object' && !Array.isArray(value)) return { name, args: value as Record<string, unknown> };
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1)) {
    return { name, args: Object.assign({}, ...value) };
  }
  return undefined;
}
