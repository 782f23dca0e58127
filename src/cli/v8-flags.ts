// main.ts imports this first, so the flags (src/core/v8-flags.ts) are set before any other
// module's code runs.
import { setFlagsFromString } from 'node:v8';
import { V8_FLAGS } from '../core/v8-flags.js';

setFlagsFromString(V8_FLAGS);
