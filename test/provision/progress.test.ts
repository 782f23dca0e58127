// The live/plain progress view, fed by the agent's events.
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/apply/events.js';
import { formatReport } from '../../src/apply/report.js';
import { Secrets } from '../../src/core/secrets.js';
import { summarize, type StateResult } from '../../src/apply/report-types.js';
import { newHostLine, ProgressView, renderEvent, renderLine, trackEvent } from '../../src/provision/progress.js';

const state = (id: string, result: StateResult['result'], changes = 0): StateResult => ({
  id, function: 'file.managed', name: id, sls: 'app', file: 'states/app.yaml', line: 1, result,
  changes: Array.from({ length: changes }, () => ({ summary: 'update content' })), comment: '', durationMs: 1,
});

class Sink {
  text = '';
  columns = 80;
  isTTY = true;
  write(s: string) {
    this.text += s;
    return true;
  }
}

const plain = { style: { color: false }, secrets: new Secrets() };
const stateEvent = (s: StateResult): AgentEvent => ({ event: 'state', state: s });

describe('trackEvent', () => {
  it('counts states from the agent’s events and notes what it is at', () => {
    const h = newHostLine('h');
    trackEvent(h, { event: 'started', id: 'a', function: 'file.managed' });
    expect(h.last).toBe('a');
    for (const s of [state('a', 'ok'), state('b', 'changed', 1), state('c', 'pending', 1), state('d', 'failed')]) trackEvent(h, stateEvent(s));
    expect(h).toMatchObject({ states: 4, changed: 1, pending: 1, failed: 1, last: 'd' });
    trackEvent(h, { event: 'waiting', seconds: 5, message: 'another brine apply holds …' });
    expect(h.last).toBe('waiting for the apply lock');
  });
});

describe('renderEvent', () => {
  it('renders a run’s events as the agent’s own human report reads, secrets masked', () => {
    const secrets = new Secrets();
    secrets.add('s3cret-value');
    const states = [state('a', 'ok'), { ...state('b', 'changed', 1), name: 'with s3cret-value' }, state('c', 'failed')];
    const head = { test: false, env: 'staging', host: 'web1', summary: summarize(states, 12) };
    const report = { ...head, states };
    const events: AgentEvent[] = [{ event: 'started', id: 'a', function: 'file.managed' }, ...states.map(stateEvent), { event: 'summary', report: head }];
    const text = events.map((e) => renderEvent(e, secrets, { color: false })).join('');
    expect(text).toBe(formatReport(report, secrets, { color: false }));
    expect(text).not.toContain('s3cret-value');
    expect(renderEvent({ event: 'error', message: 'no s3cret-value here' }, secrets, { color: false })).toBe('brine: error: no ******** here\n');
  });
});

describe('renderLine', () => {
  it('shows host, phase, time and counts, cut to the terminal width', () => {
    const h = { ...newHostLine('10.0.0.5'), phase: 'run' as const, startedAt: 0, states: 3, changed: 1, last: '/etc/nginx/nginx.conf' };
    expect(renderLine(h, 10, 200, 2500, false)).toBe('▶ 10.0.0.5    running       2.5s  3 states, 1 changed · /etc/nginx/nginx.conf');
    const cut = renderLine(h, 10, 30, 2500, false);
    expect([...cut].length).toBeLessThanOrEqual(29);
    expect(cut.endsWith('…')).toBe(true);
    const done = { ...h, phase: 'done' as const, endedAt: 4000, status: 'unreachable' as const, note: '10.0.0.5: unreachable: No route to host' };
    expect(renderLine(done, 10, 200, 9999, true)).toBe('\x1b[31m■ 10.0.0.5    unreachable   4.0s  3 states, 1 changed · 10.0.0.5: unreachable: No route to host\x1b[0m');
  });
});

describe('ProgressView', () => {
  it('live: draws one line per host and redraws them in place', () => {
    const out = new Sink();
    let now = 0;
    const v = new ProgressView(out as never, ['a', 'bb'], 'live', { ...plain, streamAgent: true, now: () => now });
    v.phase(0, 'bootstrap');
    v.event(0, stateEvent({ ...state('x', 'ok'), function: 'cmd.run' }));
    now = 1000;
    v.phase(1, 'done', '', 'ok');
    v.close();
    const frames = out.text.split('\x1b[2A');
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.at(-1)).toBe('\x1b[2K… a   bootstrap     1.0s  1 states, 0 changed · x\n\x1b[2K■ bb  ok            0.0s  \n');
    expect(out.text).not.toContain('  ok       x'); // agent lines are not printed in live mode
  });

  it('plain: phase lines, and agent lines prefixed by host when there are several', () => {
    const out = new Sink();
    const v = new ProgressView(out as never, ['a', 'b'], 'plain', { ...plain, streamAgent: true, now: () => 0 });
    v.phase(0, 'bootstrap');
    v.line(1, 'Summary for b');
    v.phase(1, 'done', 'b: unreachable: timeout', 'unreachable');
    expect(out.text).toBe('a: bootstrap\nb | Summary for b\nb: unreachable: b: unreachable: timeout (0.0 s)\n');
    const one = new Sink();
    const single = new ProgressView(one as never, ['a'], 'plain', { ...plain, streamAgent: true });
    single.line(0, 'Summary for a');
    expect(one.text).toBe('Summary for a\n');
    const events = new Sink();
    const two = new ProgressView(events as never, ['a', 'b'], 'plain', { ...plain, streamAgent: true, now: () => 0 });
    two.event(1, stateEvent(state('y', 'ok')));
    two.event(0, { event: 'waiting', seconds: 5, message: 'held' });
    expect(events.text).toBe('b |   ok       y (file.managed)\na | brine: waiting up to 5 s: held\n');
  });
});
