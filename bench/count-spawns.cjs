// Preloaded into a brine run by benchmarks and tests (`node --require count-spawns.cjs brine.js
// apply …`): counts the processes the run starts and says so on stderr as it exits. The product
// itself carries no counter.
const childProcess = require('node:child_process');

const spawn = childProcess.spawn;
let spawned = 0;
childProcess.spawn = function countedSpawn(...args) {
  spawned++;
  return spawn.apply(this, args);
};
process.on('exit', () => process.stderr.write(`brine: spawned ${spawned} processes\n`));
