// Address slots and host-side bridges: slot N owns thN-br at 10.231.N.1/30 and the host
// 10.231.N.2. A lock file per slot lets several processes run hosts without clashing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { BRIDGE_ALIAS, locksDir, MAX_INDEX, SUBNET_PREFIX } from './config.js';
import { tryLock, unlock } from './lock.js';

export interface Slot {
  index: number;
  /** Machine name, hostname and the prefix of the bridge name. */
  name: string;
  bridge: string;
  hostAddress: string;
  gatewayAddress: string;
  lock: string;
}

export function slot(index: number): Slot {
  return {
    index,
    name: `th${index}`,
    bridge: `th${index}-br`,
    hostAddress: `${SUBNET_PREFIX}.${index}.2`,
    gatewayAddress: `${SUBNET_PREFIX}.${index}.1`,
    lock: join(locksDir, `th${index}.lock`),
  };
}

/** Addresses in 10.231.0.0/16 already on some interface (ours or anyone's). */
async function usedSubnets(): Promise<Set<number>> {
  const { stdout } = await execa('ip', ['-o', '-4', 'addr', 'show']);
  const used = new Set<number>();
  const re = new RegExp(`inet ${SUBNET_PREFIX.replace('.', '\\.')}\\.(\\d+)\\.`, 'g');
  for (const m of stdout.matchAll(re)) used.add(Number(m[1]));
  return used;
}

/** Takes `count` free slots (lock file, no bridge or address in the way). */
export async function allocateSlots(count: number, note: string): Promise<Slot[]> {
  const used = await usedSubnets();
  const taken: Slot[] = [];
  for (let i = 1; i <= MAX_INDEX && taken.length < count; i++) {
    const s = slot(i);
    if (used.has(i) || existsSync(`/sys/class/net/${s.bridge}`)) continue;
    if (tryLock(s.lock, note)) taken.push(s);
  }
  if (taken.length < count) {
    taken.forEach(releaseSlot);
    throw new Error(`no free test-host address slots (wanted ${count}); try \`npm run testhost -- sweep\``);
  }
  return taken;
}

export function releaseSlot(s: Slot): void {
  unlock(s.lock);
}

export async function createBridge(s: Slot): Promise<void> {
  await execa('ip', ['link', 'add', s.bridge, 'type', 'bridge']);
  // The alias marks the bridge as ours, so a later sweep can prove it before deleting.
  await execa('ip', ['link', 'set', s.bridge, 'alias', BRIDGE_ALIAS]);
  // Never route a host's packets onward, even where this machine forwards (docker…): hosts
  // may reach only this machine's bridge address. No IPv6 on the bridge at all.
  writeFileSync(`/proc/sys/net/ipv4/conf/${s.bridge}/forwarding`, '0\n');
  writeFileSync(`/proc/sys/net/ipv6/conf/${s.bridge}/disable_ipv6`, '1\n');
  await execa('ip', ['addr', 'add', `${s.gatewayAddress}/30`, 'dev', s.bridge]);
  await execa('ip', ['link', 'set', s.bridge, 'up']);
}

/** Deletes a bridge only when it exists and carries our alias. Synchronous. */
export function deleteBridge(name: string): void {
  if (!/^th\d+-br$/.test(name) || !isOurBridge(name)) return;
  execaSync('ip', ['link', 'del', name], { reject: false });
}

export function isOurBridge(name: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim() === BRIDGE_ALIAS;
  } catch {
    return false; // no such interface
  }
}

/** Names of existing bridges named th*-br carrying our alias. */
export async function ourBridges(): Promise<string[]> {
  const { stdout } = await execa('ip', ['-o', 'link', 'show', 'type', 'bridge']);
  const names = [...stdout.matchAll(/^\d+:\s+(th\d+-br)[:@]/gm)].map((m) => m[1]);
  return names.filter(isOurBridge);
}
