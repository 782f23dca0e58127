import { describe, expect, it } from 'vitest';
import { formatHistory, lastRuns } from '../../src/provision/history.js';
import { parseRunLog } from '../../src/apply/run-log.js';

// Lines as states/backups/files/backup.sh's `record` writes them (ExecStopPost of the unit).
const LOG = [
  '{"when":"2026-12-02T03:15:00.120Z","durationMs":640,"who":"hello-backup.service","host":"web1","env":"staging","states":["backups"],"exitCode":0,"changed":[],"note":"hello-20261202T031500Z.dump (4 KiB), copied offsite"}',
  '{"when":"2026-12-03T03:15:00.000Z","durationMs":30100,"who":"hello-backup.service","host":"web1","env":"staging","states":["backups"],"exitCode":1,"changed":[],"note":"backup failed (exit-code, exit 255) during: offsite copy; see journalctl -u hello-backup"}',
  '',
].join('\n');

describe('brine history with the backup unit\'s lines', () => {
  it('shows what a backup wrote, and the step a failed one stopped at', () => {
    const runs = lastRuns(parseRunLog(LOG), 'staging', 10);
    const out = formatHistory({ target: { address: 'web1', user: 'root', roles: [] } as never, runs }, { color: false });
    expect(out).toBe(
      '\n=== web1\n' +
        '2026-12-02T03:15:00Z  ok  hello-backup.service    0.6 s  [backups]\n' +
        '    hello-20261202T031500Z.dump (4 KiB), copied offsite\n' +
        '2026-12-03T03:15:00Z  failed  hello-backup.service    30.1 s  [backups]\n' +
        '    backup failed (exit-code, exit 255) during: offsite copy; see journalctl -u hello-backup\n',
    );
  });
});
