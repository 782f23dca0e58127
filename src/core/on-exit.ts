// Paths removed however the process ends: normally, on an uncaught error, or on SIGINT, SIGTERM
// or SIGHUP (then the signal is raised again, so the exit status still says which one).
// Only SIGKILL escapes; what it leaves is recognisable by name and swept by the next run.
import { rmSync } from 'node:fs';

const paths = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAll(): void {
  for (const p of paths) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: the next run sweeps what is left
    }
  }
  paths.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/** Removes `path` (recursively) when the process ends; the returned function forgets it again. */
export function removeOnExit(path: string): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', removeAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  paths.add(path);
  return () => paths.delete(path);
}
