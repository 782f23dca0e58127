// Tears down live runs on SIGINT/SIGTERM/SIGHUP, then exits with the usual 128+n code.
// Handlers exist only while a run is live, so they never change behaviour otherwise.

type Teardown = () => Promise<void>;

const live = new Set<Teardown>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
let stopping = false;

async function onSignal(sig: NodeJS.Signals): Promise<void> {
  if (stopping) {
    process.stderr.write(`\nbrine-testhost: ${sig} again, exiting without finishing teardown (run \`npm run testhost -- sweep\`)\n`);
    process.exit(CODES[sig] ?? 1);
  }
  stopping = true;
  process.stderr.write(`\nbrine-testhost: ${sig}, tearing down test hosts…\n`);
  await Promise.allSettled([...live].map((t) => t()));
  process.exit(CODES[sig] ?? 1);
}

function handler(sig: NodeJS.Signals): void {
  void onSignal(sig);
}

export function registerTeardown(t: Teardown): void {
  if (live.size === 0) for (const s of SIGNALS) process.on(s, handler);
  live.add(t);
}

export function unregisterTeardown(t: Teardown): void {
  live.delete(t);
  if (live.size === 0 && !stopping) for (const s of SIGNALS) process.off(s, handler);
}
