// Path checks and parent-directory creation shared by the file functions.
import { dirname, isAbsolute, normalize } from 'node:path';
import type { Args } from '../../core/args.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import type { Change } from '../resource.js';
import type { FileWriter, HostView } from '../../host/types.js';

export function parsePath(a: Args, key = 'name'): string {
  const path = key === 'name' ? a.name : a.required(key);
  if (!isAbsolute(path)) a.problem(key, `must be an absolute path, got ${JSON.stringify(path)}`);
  else if (normalize(path) !== path.replace(/\/+$/, '') && path !== '/') a.problem(key, `must be a normalised path (no . or ..), got ${JSON.stringify(path)}`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** A change creating missing parents (makedirs), or an error saying why the path cannot be made. */
export async function planParents(host: HostView, path: string, makedirs: boolean): Promise<Change[]> {
  const missing: string[] = [];
  for (let dir = dirname(path); dir !== '/'; dir = dirname(dir)) {
    const st = await host.stat(dir);
    if (st?.type === 'directory') break;
    if (st) throw new StateFailure(`${dir} exists and is not a directory`);
    missing.unshift(dir);
  }
  if (!missing.length) return [];
  if (!makedirs) throw new MissingError(`parent directory ${missing[0]} does not exist (set makedirs: true to create it)`);
  const make = (h: FileWriter) => h.mkdir(dirname(path), { parents: true, mode: 0o755 });
  return [{ summary: `create directory ${missing.join(', ')}`, apply: make, predict: make }];
}
