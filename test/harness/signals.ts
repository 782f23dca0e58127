// Tears down live runs on SIGINT/SIGTERM/SIGHUP, then dies of that same signal. Handlers
// exist only while a run is live, so they never change behaviour otherwise.
// Teardown is synchronous on purpose: in a vitest worker whose main process has gone (Ctrl-C),
// vitest's uncaught-error handler spins on its closed channel and no promise of ours would
// ever settle.

type Teardown = () => void;

const live = new Set<Teardown>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let stopping = false;

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, handler);
}

/**
 * Re-raises the signal with our handlers gone: the process ends as the signal intends
 * (exit status 128+n for the parent to see). Not process.exit(): vitest workers replace it
 * with a function that throws.
 */
function die(sig: NodeJS.Signals): void {
  uninstall();
  process.kill(process.pid, sig);
}

function handler(sig: NodeJS.Signals): void {
  if (stopping) return die(sig); // a second signal while tearing down: give up
  stopping = true;
  try {
    process.stderr.write(`\nbrine-testhost: ${sig}, tearing down test hosts…\n`);
  } catch {
    /* stderr may be gone (vitest's main process exits first) */
  }
  for (const t of [...live]) {
    try {
      t();
    } catch (err) {
      process.stderr.write(`brine-testhost: teardown failed: ${String(err)}\n`);
    }
  }
  die(sig);
}

export function registerTeardown(t: Teardown): void {
  if (live.size === 0) for (const s of SIGNALS) process.on(s, handler);
  live.add(t);
}

export function unregisterTeardown(t: Teardown): void {
  live.delete(t);
  if (live.size === 0 && !stopping) uninstall();
}
