// The shipped stack (states/ and pillar/ at the repo root) copied into a temp project, with
// pillar files replaced per test, compiled by the real compiler and registry.
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Compiled } from '../../src/compile/load.js';
import type { Facts } from '../../src/compile/facts.js';
import type { StateDecl } from '../../src/core/state.js';
import { compileProject, makeProject, problemsOf } from '../support/project.js';
import { tempDir } from '../support/temp.js';

export { problemsOf };

export const REPO = resolve(__dirname, '../..');

export const ADMIN_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILvMOrfFt8xQXncjTv3adRDD+NaFrcyjGhkAL7E733ni ann@test';
export const DEV_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE+5III0EhRwkmbFdU9zOT89sj96f3UlaDGJi4Jd1D2y bo@test';

/** A temp copy of the shipped states/ and pillar/; `files` (path → text, or null to delete) on top. */
export function shipped(files: Record<string, string | null> = {}): string {
  const dir = tempDir('brine-stack-');
  for (const sub of ['states', 'pillar']) cpSync(join(REPO, sub), join(dir, sub), { recursive: true });
  rmSync(join(dir, 'pillar/staging/secrets.yaml'), { force: true });
  rmSync(join(dir, 'pillar/production/secrets.yaml'), { force: true });
  for (const [path, text] of Object.entries(files)) if (text === null) rmSync(join(dir, path), { force: true });
  const written = Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
  return makeProject(written, dir);
}

export const web = (over: Partial<Facts> = {}): Partial<Facts> => ({ roles: ['web'], ...over });

export function compileStack(dir: string, over: Partial<Facts> = web(), only?: string[]): Compiled {
  return compileProject(dir, over, only);
}


export const fnOf = (d: StateDecl) => `${d.kind}.${d.fn}`;
export const label = (d: StateDecl) => `${fnOf(d)} ${d.id}`;

/** Position of a state in the apply order, by "kind.fn id". */
export function position(c: Compiled, what: string): number {
  const i = c.graph.order.findIndex((d) => label(d) === what);
  if (i < 0) throw new Error(`no state '${what}' in: ${c.graph.order.map(label).join(', ')}`);
  return i;
}

export function spec<T = Record<string, unknown>>(c: Compiled, id: string, kind: string): T {
  const s = c.specs.get(`${id}|${kind}`);
  if (!s) throw new Error(`no spec for ${id}|${kind}`);
  return s as T;
}

export const contentOf = (c: Compiled, path: string) => String(spec<{ content: string | Buffer }>(c, path, 'file').content);

export function devsYaml(devs: Record<string, { keys: string[]; sudo?: boolean }>, absent: string[] = []): string {
  const lines = ['devs:'];
  for (const [name, d] of Object.entries(devs)) {
    lines.push(`  ${name}:`, `    public_keys: ${JSON.stringify(d.keys)}`);
    if (d.sudo !== undefined) lines.push(`    sudo: ${d.sudo}`);
  }
  lines.push(`devs_absent: ${JSON.stringify(absent)}`);
  return lines.join('\n') + '\n';
}
