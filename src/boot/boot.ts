// The first code dist/brine.js runs. scripts/build.mjs puts the whole program (the "main"
// bundle) into the file as one string, BRINE_MAIN, with its SHA-256, and this after it.
//
// Debian's nodejs has no code cache of its own, so every run would parse and compile the 1 MB
// program again (about 50 ms of a 260 ms no-op apply). This compiles it through a V8 code cache
// in a directory only this user can write, made when a run ends and used by the next ones. V8
// rejects a cache made by another V8 or under other flags, but only compares the source's
// length: the cache file starts with the program's SHA-256, and one made from any other text is
// never handed to V8. Without a usable cache directory brine runs as before, only slower.
import { setFlagsFromString } from 'node:v8';
import { V8_FLAGS } from '../core/v8-flags.js';
import { codeCacheFile, runMain } from './code-cache.js';

declare const BRINE_MAIN: string;
declare const BRINE_MAIN_SHA256: string;

// Before anything is compiled: the flags are part of what a code cache is valid for.
setFlagsFromString(V8_FLAGS);
runMain({ source: BRINE_MAIN, sha256: BRINE_MAIN_SHA256, module, require, cacheFile: codeCacheFile(process.env) });
