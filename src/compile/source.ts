// Loads `source:` files from the state tree (salt://x, brine://x or a path under states/)
// and renders them with the same strict Handlebars as state files. A large file copied as it
// is stays on disk: hashed here a chunk at a time, streamed when written, never templated.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { digestFileSync } from '../core/file-digest.js';
import type { FileSource } from '../host/types.js';
import { join, normalize } from 'node:path';
import type { Args } from '../core/args.js';
import type { Secrets } from '../core/secrets.js';
import { SpecError } from '../core/errors.js';
import { render } from './render.js';

export type SourceLoader = (
  source: string,
  opts: { render: boolean; context?: Record<string, unknown> },
  args: Args,
) => string | Buffer | FileSource;

/** Above this, a source copied as it is is passed by reference (no diff is shown for it anyway). */
export const STREAM_ABOVE = 1024 * 1024;

/** `salt://x` → the path under states/, or a problem when it points outside the tree. */
function inTree(statesRoot: string, source: string, args: Args): string | undefined {
  const path = source.replace(/^(salt|brine):\/\//, '');
  if (/^[a-z]+:\/\//.test(path) || normalize(path).startsWith('..') || path.startsWith('/')) {
    args.problem('source', `source must be a path inside states/ (salt://path or path), got ${JSON.stringify(source)}`);
    return undefined;
  }
  return join(statesRoot, path);
}

/** Every file under a state-tree directory (recursively, sorted), relative to it. */
export function listSource(statesRoot: string, source: string, args: Args): string[] | undefined {
  const root = inTree(statesRoot, source.replace(/\/+$/, ''), args);
  if (!root) return undefined;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    args.problem('source', `source directory ${source} not found under states/`);
    return undefined;
  }
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
  return walk('');
}

export function makeSourceLoader(statesRoot: string, rel: (p: string) => string, context: object, secrets?: Secrets): SourceLoader {
  return (source, opts, args) => {
    const path = inTree(statesRoot, source, args);
    if (!path) return '';
    if (!existsSync(path)) {
      args.problem('source', `source file ${rel(path)} not found`);
      return '';
    }
    if (!opts.render) {
      const size = statSync(path).size;
      return size > STREAM_ABOVE ? { path, size, sha256: digestFileSync(path) } : readFileSync(path);
    }
    try {
      return render(readFileSync(path, 'utf8'), rel(path), { ...context, ...opts.context }, { secrets });
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      // Name the state too: the template's own file:line, and which state used it.
      for (const p of err.problems) args.problems.push({ ...p, id: args.decl.id, field: 'source' });
      return '';
    }
  };
}
