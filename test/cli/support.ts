// Runs the built bundle (dist/brine.js) as a user would, against temp projects and temp targets.
import { execa } from 'execa';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../support/temp.js';

export const BUNDLE = resolve(__dirname, '../../dist/brine.js');

export async function brine(args: string[], opts: { varDir?: string; cwd?: string } = {}) {
  const varDir = opts.varDir ?? tempDir('brine-var-');
  const r = await execa('node', [BUNDLE, ...args], {
    reject: false,
    cwd: opts.cwd,
    env: { BRINE_VAR_DIR: varDir, NO_COLOR: '1' },
  });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), out: `${r.stdout}\n${r.stderr}` };
}

/** Every file below dir with its bytes and mode: equal snapshots mean nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[p] = `dir ${st.mode.toString(8)}`;
        walk(p);
      } else out[p] = `${st.mode.toString(8)} ${readFileSync(p, 'base64')}`;
    }
  };
  walk(dir);
  return out;
}
