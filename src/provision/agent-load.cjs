// brine's agent loader: provision uploads it beside the bundle and starts the agent through it.
// Debian's nodejs has no code cache of its own, so every run would parse and compile the 1 MB
// bundle again; this runs the bundle as Node runs a CommonJS main module, from a V8 code cache
// kept in brine's root-only directory. V8 rejects a cache made from another bundle, another V8 or
// other V8 flags (pass the same flags on node's command line every time), but it only compares
// the source's length: the cache file starts with the bundle's SHA-256, and one made from other
// text is never handed to V8. Else the loader writes a fresh one when the run ends. A cache it
// cannot read or write only costs time.
// Usage: node [V8 FLAGS] agent-load.cjs CACHE_FILE BUNDLE ARGS...
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

function main() {
  const [cacheFile, given] = process.argv.slice(2, 4);
  if (!cacheFile || !given) {
    process.stderr.write('usage: node agent-load.cjs CACHE_FILE BUNDLE ARGS...\n');
    process.exit(64);
  }
  const file = path.resolve(given);
  // The bundle sees the command line it would see run directly: node BUNDLE ARGS...
  process.argv.splice(1, 3, file);
  const text = fs.readFileSync(file);
  const stamp = Buffer.from(`brine-code-cache ${crypto.createHash('sha256').update(text).digest('hex')}\n`);
  const source = text.toString('utf8').replace(/^#!.*/, '');
  let cachedData;
  try {
    const cached = fs.readFileSync(cacheFile);
    if (cached.subarray(0, stamp.length).equals(stamp)) cachedData = cached.subarray(stamp.length);
  } catch {
    // first run of this agent here
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache also holds the functions this run compiled lazily: most of the next run.
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // nothing to clean
        }
      }
    });
  }
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}

main();
