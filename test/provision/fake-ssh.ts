// A scripted stand-in for the ssh/rsync processes the controller spawns: recognises each step
// by the script on stdin (or rsync), records every argv, and answers per host.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult } from '../../src/host/types.js';
import type { Spawn, SpawnOptions } from '../../src/provision/runner.js';
import { collectInput, scripts } from '../../src/provision/scripts.js';
import type { AgentEvent } from '../../src/apply/events.js';
import type { Report, StateResult } from '../../src/apply/report-types.js';

export type Step = 'bootstrap' | 'upload' | 'launch' | 'collect' | 'other';

export interface Call {
  step: Step;
  host: string;
  argv: string[];
  input?: string;
  /** For uploads: every uploaded file (relative to its source) with its text, read at upload time. */
  files?: Record<string, string>;
  /** For uploads: each uploaded file's mtime (ms), as rsync --times would keep it. */
  mtimes?: Record<string, number>;
}

/**
 * `lines` go to onLine as they would stream. A launch then prints the launcher's mark and the
 * host's 'collect' answer, as the launcher does after its run — unless `stopsEarly` (a launcher
 * that exited before: the controller then collects in a step of its own).
 */
export type Answer = Partial<CommandResult> & { lines?: string[]; stopsEarly?: boolean };

export function report(over: Partial<Report['summary']> = {}, test = false): Report {
  return { test, env: 'staging', host: 'h', states: [], summary: { succeeded: 1, changed: 1, pending: 0, failed: 0, total: 1, durationMs: 5, ...over } };
}

/** The agent's event line for a finished state. */
export function stateEvent(id: string, result: StateResult['result'] = 'ok'): AgentEvent {
  return { event: 'state', state: { id, function: 'file.managed', name: id, sls: 'app', file: 'states/app.yaml', line: 1, result, changes: [], comment: '', durationMs: 1 } };
}

export function collected(run: string, exit: number, r?: Report, extra = ''): string {
  return `${extra}@@brine-run ${run} ${exit}\n${r ? JSON.stringify(r, null, 2) + '\n' : ''}@@brine-log\nlog tail\n@@brine-end\n`;
}

export class FakeSsh {
  readonly calls: Call[] = [];
  /** Answers by host then step; a function gets the run id (from the launch argv). */
  answers = new Map<string, Partial<Record<Step, Answer | ((run: string) => Answer)>>>();
  private runs = new Map<string, string>();
  delayMs = 0;

  on(host: string, step: Step, a: Answer | ((run: string) => Answer)): this {
    this.answers.set(host, { ...this.answers.get(host), [step]: a });
    return this;
  }

  spawn: Spawn = async (argv: string[], opts: SpawnOptions = {}) => {
    const step = stepOf(argv, opts.input);
    const host = hostOf(argv);
    const call: Call = { step, host, argv, input: opts.input };
    if (step === 'upload') Object.assign(call, readSources(argv.slice(argv.indexOf('--') + 1, -1)));
    if (step === 'launch') this.runs.set(host, /sh -s -- (\d{8}T\d{6}-[0-9a-f]{6}) /.exec(argv.at(-1)!)![1]);
    this.calls.push(call);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const defaults: Record<Step, Answer> = {
      bootstrap: { stdout: 'brine-bootstrap: ok skipped node=v18.20.4 sudo=no\n' },
      upload: {},
      launch: { lines: [JSON.stringify(stateEvent('x'))] },
      collect: { stdout: collected(this.runs.get(host) ?? '?', 0, report()) },
      other: {},
    };
    const answer = (st: Step) => {
      const given = this.answers.get(host)?.[st];
      return typeof given === 'function' ? given(this.runs.get(host) ?? '?') : (given ?? defaults[st]);
    };
    const a = answer(step);
    let lines = a.lines ?? [];
    let stdout = a.stdout ?? '';
    if (step === 'launch' && !a.stopsEarly && a.exitCode !== 255) {
      const mark = /^BRINE_MARK='([^']+)'$/m.exec(opts.input ?? '')![1];
      const after = [mark, ...(answer('collect').stdout ?? '').replace(/\n$/, '').split('\n')];
      lines = [...lines, ...after];
      stdout = lines.map((l) => `${l}\n`).join('');
    }
    for (const l of lines) opts.onLine?.(l);
    return { argv, exitCode: a.exitCode ?? 0, stdout, stderr: a.stderr ?? '' };
  };

  steps(host: string): Step[] {
    return this.calls.filter((c) => c.host === host).map((c) => c.step);
  }
}

function stepOf(argv: string[], input?: string): Step {
  if (argv[0] === 'rsync') return 'upload';
  if (input === scripts.bootstrap) return 'bootstrap';
  if (input?.startsWith('BRINE_MARK=') && input.endsWith(scripts.launch)) return 'launch';
  if (input === collectInput) return 'collect';
  return 'other';
}

function hostOf(argv: string[]): string {
  if (argv[0] === 'rsync') return argv.at(-1)!.split(':')[0];
  return argv[argv.indexOf('--') + 1];
}

function readSources(sources: string[]): Pick<Call, 'files' | 'mtimes'> {
  const files: Record<string, string> = {};
  const mtimes: Record<string, number> = {};
  const walk = (p: string, rel: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n), `${rel}/${n}`);
    else {
      files[rel] = readFileSync(p, 'utf8');
      mtimes[rel] = st.mtimeMs;
    }
  };
  for (const s of sources) walk(s, s.split('/').pop()!);
  return { files, mtimes };
}
