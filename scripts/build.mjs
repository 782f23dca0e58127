// Bundles the agent into one self-contained file, dist/brine.js, that runs on
// Debian 12's own nodejs (18.19+) with no node_modules beside it (see scripts/embed.mjs).
import { build } from 'esbuild';
import { bundleBoot, embed, NODE_TARGET } from './embed.mjs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve, dirname } from 'node:path';

// `import text from './x.sh?raw'` (as Vite does): the controller's shell scripts travel inside the bundle.
const raw = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(dirname(args.importer), args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

// Handlebars' code generator uses the source-map package's SourceNode when it can load it, and
// its own small stand-in otherwise; brine never asks for source maps, so the bundle leaves the
// package out (7 ms of a 260 ms no-op apply, and 90 kB).
const noSourceMap = {
  name: 'no-source-map',
  setup(b) {
    b.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const outfile = 'dist/brine.js';
const main = await build({ ...NODE_TARGET, entryPoints: ['src/cli/main.ts'], plugins: [raw, noSourceMap] });
await mkdir(dirname(outfile), { recursive: true });
await writeFile(outfile, embed(main.outputFiles[0].text, await bundleBoot()));
await chmod(outfile, 0o755);
// In this repo the root package.json says "type": "module"; the bundle is CommonJS.
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');

// The editors' schemas: state files' from the kinds' own parsers (asked through the bundle just
// built), the shipped stack's pillar contract as written in schemas/.
const { execFileSync } = await import('node:child_process');
await mkdir('dist/schemas', { recursive: true });
const stateSchema = execFileSync(process.execPath, [outfile, 'schema'], { env: { ...process.env, BRINE_CODE_CACHE: 'off' } });
await writeFile('dist/schemas/state.schema.json', stateSchema);
await writeFile('dist/schemas/pillar.schema.json', await readFile('schemas/pillar.schema.json'));
