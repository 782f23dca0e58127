// What the controller shows while hosts run: on a TTY one live line per host, redrawn in
// place; otherwise plain lines as things happen (agent lines prefixed by host when several).
import { painter } from '../apply/report.js';
import type { HostStatus, Phase } from './provision-host.js';
import { STATUS_COLOUR } from './summary.js';

export interface HostLine {
  label: string;
  phase: Phase;
  note: string;
  /** Counted from the agent's streamed report. */
  states: number;
  changed: number;
  pending: number;
  failed: number;
  last: string;
  startedAt?: number;
  endedAt?: number;
  status?: HostStatus;
}

export function newHostLine(label: string): HostLine {
  return { label, phase: 'waiting', note: '', states: 0, changed: 0, pending: 0, failed: 0, last: '' };
}

/** Follows the agent's human report (core/report.ts): one-line ok states, blocks for the rest. */
export function trackLine(h: HostLine, line: string): void {
  let m: RegExpExecArray | null;
  if ((m = /^ {2}ok {7}(.+) \([\w.]+\)/.exec(line))) {
    h.states++;
    h.last = m[1];
  } else if ((m = /^ {10}ID: (.*)$/.exec(line))) {
    h.last = m[1];
  } else if ((m = /^ {6}Result: (changed|pending|failed|ok)$/.exec(line))) {
    h.states++;
    if (m[1] !== 'ok') h[m[1] as 'changed' | 'pending' | 'failed']++;
  } else if (/^brine: waiting/.test(line)) {
    h.last = 'waiting for the apply lock';
  }
}

const ICON: Record<Phase, string> = { waiting: '·', bootstrap: '…', upload: '↑', run: '▶', collect: '↓', done: '■' };

export function renderLine(h: HostLine, labelWidth: number, columns: number, now: number, color: boolean): string {
  const secs = h.startedAt !== undefined ? `${(((h.endedAt ?? now) - h.startedAt) / 1000).toFixed(1)}s` : '';
  const counts = h.states ? `${h.states} states, ${h.changed} changed${h.pending ? `, ${h.pending} pending` : ''}${h.failed ? `, ${h.failed} failed` : ''}` : '';
  const what = h.phase === 'done' ? (h.status ?? 'done') : h.phase === 'run' ? 'running' : h.phase;
  const detail = h.phase === 'done' ? [counts, h.note !== h.status ? h.note : ''] : [counts, h.last || h.note];
  const text = `${ICON[h.phase]} ${h.label.padEnd(labelWidth)}  ${what.padEnd(11)} ${secs.padStart(6)}  ${detail.filter(Boolean).join(' · ').replace(/\s+/g, ' ')}`;
  const cut = [...text].length > columns - 1 ? [...text].slice(0, Math.max(10, columns - 2)).join('') + '…' : text;
  return h.status ? painter({ color })(STATUS_COLOUR[h.status], cut) : cut;
}

export type ViewMode = 'live' | 'plain';

export class ProgressView {
  readonly hosts: HostLine[];
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private readonly width: number;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    labels: string[],
    readonly mode: ViewMode,
    private readonly opts: { color: boolean; streamAgent: boolean; now?: () => number },
  ) {
    this.hosts = labels.map(newHostLine);
    this.width = Math.max(...labels.map((l) => l.length));
    if (mode === 'live') {
      this.draw();
      this.timer = setInterval(() => this.draw(), 200);
      this.timer.unref();
    }
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  phase(i: number, phase: Phase, note = '', status?: HostStatus): void {
    const h = this.hosts[i];
    h.startedAt ??= this.now();
    h.phase = phase;
    h.note = note;
    if (phase === 'done') {
      h.endedAt = this.now();
      h.status = status;
    }
    if (this.mode === 'live') return this.draw();
    const secs = phase === 'done' ? ` (${((h.endedAt! - h.startedAt) / 1000).toFixed(1)} s)` : '';
    const text = phase === 'done' ? `${status ?? 'done'}${note && note !== status ? `: ${note}` : ''}${secs}` : `${phase}${note ? `: ${note}` : ''}`;
    this.out.write(`${h.label}: ${text.replace(/\n/g, `\n${h.label}:   `)}\n`);
  }

  line(i: number, text: string): void {
    const h = this.hosts[i];
    trackLine(h, text);
    if (this.mode === 'plain' && this.opts.streamAgent) this.out.write(this.hosts.length > 1 ? `${h.label} | ${text}\n` : `${text}\n`);
  }

  /** Redraws every host line in place (cursor up, clear line, write). */
  draw(): void {
    const cols = this.out.columns || Number(process.env.COLUMNS) || 100;
    const lines = this.hosts.map((h) => renderLine(h, this.width, cols, this.now(), this.opts.color));
    const up = this.drawn ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === 'live') this.draw();
  }
}
