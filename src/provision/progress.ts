// What the controller shows while hosts run: on a TTY one live line per host, redrawn in
// place; otherwise plain lines as things happen: the agents' events rendered as the agent's own
// report would read (prefixed by host when several).
import type { AgentEvent } from '../apply/events.js';
import { formatState, formatSummary, painter, type Style } from '../apply/report.js';
import type { Secrets } from '../core/secrets.js';
import type { HostStatus, Phase } from './provision-host.js';
import { STATUS_COLOUR } from './summary.js';

export interface HostLine {
  label: string;
  phase: Phase;
  note: string;
  /** Counted from the agent's events. */
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

/** Counts states and notes what the agent is at, from its events. */
export function trackEvent(h: HostLine, e: AgentEvent): void {
  if (e.event === 'started') h.last = e.id;
  else if (e.event === 'state') {
    h.states++;
    h.last = e.state.id;
    if (e.state.result !== 'ok') h[e.state.result]++;
  } else if (e.event === 'waiting') h.last = 'waiting for the apply lock';
}

/** An event as the agent's own human report shows it ('' for what that report does not show). */
export function renderEvent(e: AgentEvent, secrets: Secrets, style: Style): string {
  switch (e.event) {
    case 'state':
      return formatState(e.state, secrets, style);
    case 'summary':
      return formatSummary({ ...e.report, states: [] }, style);
    case 'waiting':
      return `brine: waiting up to ${e.seconds} s: ${secrets.mask(e.message)}\n`;
    case 'error':
      return `brine: error: ${secrets.mask(e.message)}\n`;
    default:
      return '';
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
    private readonly opts: { style: Style; secrets: Secrets; streamAgent: boolean; now?: () => number },
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

  event(i: number, e: AgentEvent): void {
    trackEvent(this.hosts[i], e);
    const text = renderEvent(e, this.opts.secrets, this.opts.style);
    for (const l of text ? text.replace(/\n$/, '').split('\n') : []) this.line(i, l);
  }

  /** One line of a host's run output (plain mode, when streaming the agent). */
  line(i: number, text: string): void {
    if (this.mode === 'plain' && this.opts.streamAgent) this.out.write(this.hosts.length > 1 ? `${this.hosts[i].label} | ${text}\n` : `${text}\n`);
  }

  /** Redraws every host line in place (cursor up, clear line, write). */
  draw(): void {
    const cols = this.out.columns || Number(process.env.COLUMNS) || 100;
    const lines = this.hosts.map((h) => renderLine(h, this.width, cols, this.now(), this.opts.style.color));
    const up = this.drawn ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === 'live') this.draw();
  }
}
