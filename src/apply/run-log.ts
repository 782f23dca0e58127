// The host's run log (/var/log/brine/runs.jsonl): one JSON line per apply — when, who, env,
// states and per-state changes — masked, so `brine history` can read it back over SSH.
import * as fs from 'node:fs/promises';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import type { Report } from './report-types.js';
import type { Secrets } from '../core/secrets.js';
import { ioError } from '../core/errors.js';

export interface RunLogState {
  id: string;
  function: string;
  result: string;
  changes: string[];
  comment?: string;
}

export interface RunLogEntry {
  /** When the run started (ISO 8601, UTC). */
  when: string;
  durationMs: number;
  /** The person: SUDO_USER when run through sudo, else the login user. */
  who: string;
  /** Where it was started from (`user@controller`), when `provision` started it. */
  via?: string;
  host: string;
  env: string;
  /** State files applied (what the top selected, or the ones named). */
  states: string[];
  exitCode: number;
  summary?: Report['summary'];
  /** Only states that changed or failed: the log stays one short line per run. */
  changed: RunLogState[];
  /** Set when the run failed before it could plan (invalid input, lock held). */
  error?: string;
  /** What a run that is not an apply did (the backup unit's line: files written, offsite copy). */
  note?: string;
}

/** The user this process runs as (without a passwd entry: $USER, else the uid). */
export function loginName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? String(process.getuid?.() ?? '?');
  }
}

export function whoRan(env: NodeJS.ProcessEnv = process.env): string {
  return env.SUDO_USER || loginName(env);
}

export function runLogEntry(
  base: { when: Date; host: string; env: string; states: string[]; exitCode: number; error?: string },
  report: Report | undefined,
  secrets: Secrets | undefined,
  env: NodeJS.ProcessEnv = process.env,
): RunLogEntry {
  const entry: RunLogEntry = {
    when: base.when.toISOString(),
    durationMs: Date.now() - base.when.getTime(),
    who: whoRan(env),
    ...(env.BRINE_VIA ? { via: env.BRINE_VIA } : {}),
    host: base.host,
    env: base.env,
    states: base.states,
    exitCode: base.exitCode,
    summary: report?.summary,
    changed: (report?.states ?? [])
      .filter((s) => s.result !== 'ok' || s.changes.length)
      .map((s) => ({
        id: s.id,
        function: s.function,
        result: s.result,
        changes: s.changes.map((c) => c.summary),
        ...(s.result === 'failed' ? { comment: s.comment } : {}),
      })),
    ...(base.error ? { error: base.error } : {}),
  };
  return secrets ? secrets.maskDeep(entry) : entry;
}

/** One line, appended with O_APPEND: concurrent writers (there are none under the lock) can't interleave. */
export async function appendRunLog(path: string, entry: RunLogEntry): Promise<void> {
  try {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await fs.appendFile(path, JSON.stringify(entry) + '\n', { mode: 0o600 });
  } catch (err) {
    throw ioError('append to the run log', path, err);
  }
}

/** Parses runs.jsonl text; lines that are not JSON (a torn last line) are skipped. */
export function parseRunLog(text: string): RunLogEntry[] {
  const out: RunLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as RunLogEntry;
      if (v && typeof v === 'object' && typeof v.when === 'string') out.push(v);
    } catch {
      // skip
    }
  }
  return out;
}
