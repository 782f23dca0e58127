// Waits until a freshly booted host's systemd has finished starting up, so tests never race
// the boot (nginx not up yet, a oneshot still holding the dpkg lock…).
import type { SshRunner } from './fingerprint.js';

export interface Settled {
  /** `systemctl is-system-running`: running, degraded… */
  state: string;
  /** Units that failed to start, when not running. */
  failed: string[];
}

export async function settle(ssh: SshRunner): Promise<Settled> {
  const state = (await ssh(['systemctl', 'is-system-running', '--wait'], { timeout: 120_000 })).stdout.trim();
  if (state === 'running') return { state, failed: [] };
  const list = await ssh(['systemctl', 'list-units', '--state=failed', '--no-legend', '--plain']);
  return { state, failed: list.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean) };
}
