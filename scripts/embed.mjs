// dist/brine.js is two esbuild bundles in one file: the program ("main", src/cli/main.ts) as a
// string constant with its SHA-256, then the code that runs it through a V8 code cache
// (src/boot/boot.ts). Shared by scripts/build.mjs and the tests of the boot code.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';

/** Options both bundles share: one CommonJS file for Debian 12's own nodejs. */
export const NODE_TARGET = {
  bundle: true,
  platform: 'node',
  target: 'node18.19',
  // CommonJS: a lone .js file is CommonJS to Node 18 unless a package.json says otherwise,
  // and on a server there is none beside it.
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};

/** The boot code, bundled. */
export async function bundleBoot(entry = 'src/boot/boot.ts') {
  const r = await build({ ...NODE_TARGET, entryPoints: [entry] });
  return r.outputFiles[0].text;
}

/** The file: a shebang, the program as a string (esbuild writes ASCII only), its hash, the boot. */
export function embed(main, boot) {
  const sha256 = createHash('sha256').update(main).digest('hex');
  return `#!/usr/bin/env node\nconst BRINE_MAIN = ${JSON.stringify(main)};\nconst BRINE_MAIN_SHA256 = "${sha256}";\n${boot}`;
}
