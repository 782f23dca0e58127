// Bundles the agent into one self-contained file, dist/brine.js, that runs on
// Debian 12's own nodejs (18.19+) with no node_modules beside it.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const outfile = 'dist/brine.js';
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18.19',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (handlebars) call require() for node builtins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __brineRequire } from 'node:module';\nconst require = __brineRequire(import.meta.url);",
  },
});
await chmod(outfile, 0o755);
