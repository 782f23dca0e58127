// The environments a project declares: keys of its top files and pillar/<name>/env.yaml owners.
// `--env` must name one of them, so a typo cannot converge a host with the wrong data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export function knownEnvironments(dir: string): Set<string> {
  const out = new Set<string>();
  for (const top of [join(dir, 'states', 'top.yaml'), join(dir, 'pillar', 'top.yaml')]) {
    if (!existsSync(top)) continue;
    try {
      const doc = parse(readFileSync(top, 'utf8')) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) Object.keys(doc).forEach((k) => out.add(k));
    } catch {
      // compile reports a malformed top file with its line
    }
  }
  const root = join(dir, 'pillar');
  if (existsSync(root)) {
    for (const e of readdirSync(root, { withFileTypes: true })) {
      if (e.isDirectory() && existsSync(join(root, e.name, 'env.yaml'))) out.add(e.name);
    }
  }
  return out;
}

/**
 * Why `env` is not an environment of the project, or undefined when it is. A project that names
 * no environment at all (no top file, states named on the command line) accepts any.
 */
export function unknownEnvironment(dir: string, env: string): string | undefined {
  const known = knownEnvironments(dir);
  known.delete('base');
  if (env === 'base' || known.has(env) || known.size === 0) return undefined;
  return `unknown environment '${env}' (known: ${[...known].sort().join(', ')})`;
}
