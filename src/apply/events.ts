// The agent's event stream: one JSON object per line, masked by the agent, that `provision`
// follows while a host's apply runs and renders itself (it never reads the human report).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Secrets } from '../core/secrets.js';
import type { Report, StateResult } from './report-types.js';

export type AgentEvent =
  /** A state starts planning (or applying). */
  | { event: 'started'; id: string; function: string }
  /** A state finished, with its result. */
  | { event: 'state'; state: StateResult }
  /** Another apply holds the lock: this one waits up to `seconds`. */
  | { event: 'waiting'; seconds: number; message: string }
  /** The run stopped before its end (invalid input, lock held, …). */
  | { event: 'error'; message: string }
  /** The run's end: its counts, as the report's summary. */
  | { event: 'summary'; report: Omit<Report, 'states'> };

/** Appends events to a file (`apply --events PATH`), masked with the run's secrets once known. */
export class EventStream {
  private readonly fd: number;
  secrets?: Secrets;

  constructor(path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  emit(e: AgentEvent): void {
    writeSync(this.fd, JSON.stringify(this.secrets ? this.secrets.maskDeep(e) : e) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** An event from one line of the stream; undefined for a line that is not one. */
export function parseEvent(line: string): AgentEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(line) as AgentEvent;
    return e && typeof e === 'object' && typeof e.event === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}
