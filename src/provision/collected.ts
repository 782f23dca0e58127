// Parses what the host's collector prints: finished runs (status, masked JSON report, log tail)
// no controller has seen yet — this run's, and any whose connection dropped — and runs still going.
import type { Report } from '../apply/report-types.js';

export interface FinishedRun {
  run: string;
  /** The agent's exit status; 'lost' when its job died without one (host rebooted). */
  exit: number | 'lost';
  report?: Report;
  logTail: string;
}

export interface Collected {
  finished: FinishedRun[];
  running: { run: string; pid: number }[];
}

export function parseCollected(text: string): Collected {
  const out: Collected = { finished: [], running: [] };
  let current: (FinishedRun & { json: string[]; log: string[]; inLog: boolean }) | undefined;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^@@brine-running (\S+) (\d+)$/.exec(line))) {
      out.running.push({ run: m[1], pid: Number(m[2]) });
    } else if ((m = /^@@brine-run (\S+) (\d+|lost)$/.exec(line))) {
      current = { run: m[1], exit: m[2] === 'lost' ? 'lost' : Number(m[2]), logTail: '', json: [], log: [], inLog: false };
    } else if (current && line === '@@brine-log') {
      current.inLog = true;
    } else if (current && line === '@@brine-end') {
      const { json, log, inLog: _, ...run } = current;
      run.logTail = log.join('\n');
      if (json.length) {
        try {
          run.report = JSON.parse(json.join('\n')) as Report;
        } catch {
          // A torn report (disk full): the log tail says what happened.
        }
      }
      out.finished.push(run);
      current = undefined;
    } else if (current) {
      (current.inLog ? current.log : current.json).push(line);
    }
  }
  return out;
}

export interface BootstrapResult {
  skipped: boolean;
  installed: string[];
  node: string;
  /** The login user is not root: commands and rsync go through `sudo -n`. */
  sudo: boolean;
}

/** The last `brine-bootstrap: ok …` line: `ok [skipped] [installed=a,b] node=v18.20.4 sudo=yes|no`. */
export function parseBootstrap(stdout: string): BootstrapResult | undefined {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('brine-bootstrap: ok'));
  if (!line) return undefined;
  const kv = Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  return {
    skipped: /\bok skipped\b/.test(line),
    installed: kv.installed && kv.installed !== 'nothing' ? kv.installed.split(',') : [],
    node: kv.node ?? '?',
    sudo: kv.sudo === 'yes',
  };
}
