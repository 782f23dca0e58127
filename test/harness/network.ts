// Address slots and host-side bridges: slot N owns thN-br at 10.231.N.1/30 and the host
// 10.231.N.2. A lock file per slot lets several processes run hosts without clashing; a slot
// whose bridge, veth or address exists anyway (another checkout, a benchmark with its own run
// root, anything else) is refused, and a bridge is deleted only by the process that made it
// (its alias names that process) or, once that process is gone, by the sweep.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { BRIDGE_ALIAS, locksDir, MAX_INDEX, SUBNET_PREFIX } from './config.js';
import { tryLock, unlock } from './lock.js';
import { self, type ProcessId } from './proc.js';

export interface Slot {
  index: number;
  /** Machine name, hostname and the prefix of the bridge name. */
  name: string;
  bridge: string;
  /** The host side of the container's veth, as systemd-nspawn names it (`vb-` + machine). */
  veth: string;
  hostAddress: string;
  gatewayAddress: string;
  lock: string;
}

export function slot(index: number): Slot {
  return {
    index,
    name: `th${index}`,
    bridge: `th${index}-br`,
    veth: `vb-th${index}`,
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

const interfaceExists = (name: string) => existsSync(`/sys/class/net/${name}`);

/**
 * Takes `count` free slots: the slot's lock, and then — checked while holding it, so no one
 * who honours the lock can come between — no bridge, veth or address of that slot in the way.
 */
export async function allocateSlots(count: number, note: string): Promise<Slot[]> {
  const taken: Slot[] = [];
  for (let i = 1; i <= MAX_INDEX && taken.length < count; i++) {
    const s = slot(i);
    if (!tryLock(s.lock, note)) continue;
    if (interfaceExists(s.bridge) || interfaceExists(s.veth) || (await usedSubnets()).has(i)) releaseSlot(s);
    else taken.push(s);
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

/** The alias that marks a bridge as made by this very process (pid and start time). */
const ownAlias = () => `${BRIDGE_ALIAS} ${self().pid}-${self().start}`;

/** Who made a bridge of ours: a process, 'unknown' (an older harness's plain alias), or null (not ours). */
export function parseBridgeAlias(alias: string): ProcessId | 'unknown' | null {
  if (alias === BRIDGE_ALIAS) return 'unknown';
  const m = new RegExp(`^${BRIDGE_ALIAS} (\\d+)-(\\d+)$`).exec(alias);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : null;
}

export function bridgeOwner(name: string): ProcessId | 'unknown' | null {
  try {
    return parseBridgeAlias(readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim());
  } catch {
    return null; // no such interface
  }
}

/** Makes the slot's bridge; fails (without touching it) when one by that name exists. */
export async function createBridge(s: Slot): Promise<void> {
  await execa('ip', ['link', 'add', s.bridge, 'type', 'bridge']);
  // The alias names this process: only it deletes the bridge, or the sweep once it is gone.
  await execa('ip', ['link', 'set', s.bridge, 'alias', ownAlias()]);
  // Never route a host's packets onward, even where this machine forwards (docker…): hosts
  // may reach only this machine's bridge address. No IPv6 on the bridge at all.
  writeFileSync(`/proc/sys/net/ipv4/conf/${s.bridge}/forwarding`, '0\n');
  writeFileSync(`/proc/sys/net/ipv6/conf/${s.bridge}/disable_ipv6`, '1\n');
  await execa('ip', ['addr', 'add', `${s.gatewayAddress}/30`, 'dev', s.bridge]);
  await execa('ip', ['link', 'set', s.bridge, 'up']);
}

/** Deletes a bridge only when this process made it. Synchronous. */
export function deleteBridge(name: string): void {
  const owner = bridgeOwner(name);
  const me = self();
  if (!/^th\d+-br$/.test(name) || owner === null || owner === 'unknown' || owner.pid !== me.pid || owner.start !== me.start) return;
  execaSync('ip', ['link', 'del', name], { reject: false });
}

/** For the sweep: deletes one of our bridges whose maker is gone (checked by the caller). */
export function deleteStaleBridge(name: string): void {
  if (!/^th\d+-br$/.test(name) || bridgeOwner(name) === null) return;
  execaSync('ip', ['link', 'del', name], { reject: false });
}

/** Existing bridges named th*-br that a harness made (alias), with who made them. */
export async function ourBridges(): Promise<{ name: string; owner: ProcessId | 'unknown' }[]> {
  const { stdout } = await execa('ip', ['-o', 'link', 'show', 'type', 'bridge']);
  const names = [...stdout.matchAll(/^\d+:\s+(th\d+-br)[:@]/gm)].map((m) => m[1]);
  return names.flatMap((name) => {
    const owner = bridgeOwner(name);
    return owner ? [{ name, owner }] : [];
  });
}
