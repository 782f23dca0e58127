// What the run declares, as recorded by prefetch: lets one batched read cover every state
// (one apt-cache policy, one systemctl show) and lets --test see rules earlier states will add.
import type { FactCache, HostView } from '../host/types.js';

// Keyed by the run's fact cache rather than stored in it: facts are dropped after every applied
// change, but what the states declare does not change during a run.
const runs = new WeakMap<FactCache, Map<string, unknown[]>>();

function bucket(host: HostView, topic: string): unknown[] {
  let run = runs.get(host.facts);
  if (!run) runs.set(host.facts, (run = new Map()));
  let list = run.get(topic);
  if (!list) run.set(topic, (list = []));
  return list;
}

/** Record items under a topic ("pkg", "systemd-unit", "ufw.rule") for the rest of the run. */
export function declare<T>(host: HostView, topic: string, items: T[]): void {
  bucket(host, topic).push(...items);
}

export function declared<T>(host: HostView, topic: string): T[] {
  return bucket(host, topic) as T[];
}
