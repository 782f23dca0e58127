// Parsing the host's collector and bootstrap output.
import { describe, expect, it } from 'vitest';
import { parseBootstrap, parseCollected } from '../../src/provision/collected.js';

describe('parseCollected', () => {
  it('reads finished runs with report and log, lost runs, and runs still going', () => {
    const report = { test: false, env: 'staging', host: 'h', states: [], summary: { succeeded: 1, changed: 1, pending: 0, failed: 0, total: 1, durationMs: 3 } };
    const text = [
      '@@brine-running 20260101T000000-aaaaaa 4242',
      '@@brine-run 20260101T000001-bbbbbb 0',
      ...JSON.stringify(report, null, 2).split('\n'),
      '@@brine-log',
      'Summary for h',
      '@@brine-end',
      '@@brine-run 20260101T000002-cccccc lost',
      '@@brine-log',
      'half a line',
      '@@brine-end',
      '',
    ].join('\n');
    const c = parseCollected(text);
    expect(c.running).toEqual([{ run: '20260101T000000-aaaaaa', pid: 4242 }]);
    expect(c.finished).toEqual([
      { run: '20260101T000001-bbbbbb', exit: 0, report, logTail: 'Summary for h' },
      { run: '20260101T000002-cccccc', exit: 'lost', logTail: 'half a line' },
    ]);
  });

  it('survives a torn report', () => {
    const c = parseCollected('@@brine-run r 1\n{"test": fa\n@@brine-log\nboom\n@@brine-end\n');
    expect(c.finished[0]).toEqual({ run: 'r', exit: 1, logTail: 'boom' });
  });
});

describe('parseBootstrap', () => {
  it('reads the last ok line', () => {
    expect(parseBootstrap('apt noise\nbrine-bootstrap: installing nodejs rsync\nbrine-bootstrap: ok installed=nodejs,rsync node=v18.20.4 sudo=no\n')).toEqual({
      skipped: false,
      installed: ['nodejs', 'rsync'],
      node: 'v18.20.4',
      sudo: false,
    });
    expect(parseBootstrap('brine-bootstrap: ok skipped node=v18.19.0 sudo=yes\n')).toEqual({ skipped: true, installed: [], node: 'v18.19.0', sudo: true });
    expect(parseBootstrap('brine-bootstrap: error: nope\n')).toBeUndefined();
  });
});
