// Bringing the app's service onto the release `current` points at, without failing a request:
// a running service is reloaded (gunicorn's HUP: new workers from the new code, the old ones
// finish their requests; the listening socket never closes), and we wait until the old workers
// are gone. A changed virtualenv needs a restart (the master runs in it); a stopped one starts.
import { CommandError } from '../../core/errors.js';
import type { Host } from '../../host/types.js';
import { unitName } from '../service/systemd.js';

export type ServiceAction = 'start' | 'reload' | 'restart';

export async function serviceState(host: Host, service: string): Promise<{ active: boolean; mainPid: number; needReload: boolean }> {
  const r = await host.exec(['systemctl', 'show', '-p', 'LoadState,ActiveState,MainPID,NeedDaemonReload', '--', unitName(service)]);
  const p = new Map(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  // A unit file written this run is not loaded yet: systemd must read it before it can start.
  const needReload = p.get('NeedDaemonReload') === 'yes' || p.get('LoadState') !== 'loaded';
  return { active: ['active', 'reloading'].includes(p.get('ActiveState') ?? ''), mainPid: Number(p.get('MainPID') ?? 0), needReload };
}

export async function bringUp(host: Host, service: string, restart: boolean, waitS: number): Promise<ServiceAction> {
  const unit = unitName(service);
  const st = await serviceState(host, service);
  if (st.needReload) await systemctl(host, ['daemon-reload']);
  if (!st.active) {
    await systemctl(host, ['start', unit]);
    return 'start';
  }
  if (restart) {
    await systemctl(host, ['restart', unit]);
    return 'restart';
  }
  const old = await children(host, st.mainPid);
  await systemctl(host, ['reload', unit]);
  const deadline = Date.now() + waitS * 1000;
  while (Date.now() < deadline) {
    const now = new Set(await children(host, st.mainPid));
    if (!old.some((pid) => now.has(pid))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'reload';
}

async function systemctl(host: Host, args: string[]): Promise<void> {
  const argv = ['systemctl', ...args];
  const r = await host.exec(argv);
  if (r.exitCode !== 0) throw new CommandError(argv, r);
}

/** Pids whose parent is `pid` (gunicorn's workers), from /proc. */
async function children(host: Host, pid: number): Promise<number[]> {
  if (!pid) return [];
  const out: number[] = [];
  for (const name of (await host.readdir('/proc')) ?? []) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await host.readFile(`/proc/${name}/stat`).catch(() => null);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}
