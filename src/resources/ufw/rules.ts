// ufw's state read from its own files: settings (KEY=value) and the `### tuple ###` lines ufw
// writes into user.rules / user6.rules, normalised the way ufw normalises a new rule.
import { UnknownError } from '../../core/errors.js';
import type { FileWriter, HostView } from '../../host/types.js';

export const UFW_FILES = {
  conf: '/etc/ufw/ufw.conf',
  defaults: '/etc/default/ufw',
  rules: '/etc/ufw/user.rules',
  rules6: '/etc/ufw/user6.rules',
  binary: '/usr/sbin/ufw',
};

/** One rule as ufw stores it. Fields are ufw's: "any" for no port, 0.0.0.0/0 or ::/0 for anywhere. */
export interface UfwTuple {
  action: string;
  proto: string;
  dport: string;
  dst: string;
  sport: string;
  src: string;
  /** Application profile names ('' for none) and direction with any interface ("in", "in_eth0"). */
  dapp: string;
  sapp: string;
  direction: string;
  /** Hex-encoded, as ufw writes it ('' for none). */
  comment: string;
  v6: boolean;
}

/** Shell-style KEY=value settings (ufw.conf, /etc/default/ufw), quotes removed. */
export function parseSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_0-9]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

export function parseTuples(text: string, v6: boolean): UfwTuple[] {
  const out: UfwTuple[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('### tuple ###')) continue;
    const [body, comment = ''] = line.slice('### tuple ###'.length).split(' comment=');
    const f = body.trim().split(/\s+/);
    // Old ufw wrote 6 or 8 fields without a direction; ufw reads those as "in".
    if (f.length < 6 || f.length > 9) continue;
    const withApps = f.length >= 8;
    const direction = f.length === 7 || f.length === 9 ? f[f.length - 1] : 'in';
    const app = (s: string | undefined) => (!s || s === '-' ? '' : s.replace(/%20/g, ' '));
    out.push({
      action: f[0], proto: f[1], dport: f[2], dst: f[3], sport: f[4], src: f[5],
      dapp: withApps ? app(f[6]) : '', sapp: withApps ? app(f[7]) : '',
      direction, comment: comment.trim(), v6,
    });
  }
  return out;
}

const POLICY_OF: Record<string, string> = { ACCEPT: 'allow', DROP: 'deny', REJECT: 'reject' };

/** ufw's policy word for a value its defaults file holds (DROP → deny); undefined for others. */
export const policyOf = (v: string | undefined): string | undefined => (v !== undefined && Object.hasOwn(POLICY_OF, v) ? POLICY_OF[v] : undefined);

export interface UfwState {
  installed: boolean;
  enabled: boolean;
  ipv6: boolean;
  /** DEFAULT_INPUT_POLICY etc., as written (DROP, ACCEPT, REJECT). */
  defaults: Record<string, string>;
  tuples: UfwTuple[];
}

/** Everything ufw.* plans need, from five small files and no process; cached for the run. */
export function readUfw(host: HostView): Promise<UfwState> {
  return host.facts.get('ufw', () => loadUfw(host));
}

/** Read ufw's files now, bypassing the cache (checks made right before acting). */
export async function loadUfw(host: HostView): Promise<UfwState> {
  const [bin, conf, defaults, rules, rules6] = await Promise.all([
    host.stat(UFW_FILES.binary),
    readUfwFile(host, UFW_FILES.conf),
    host.readFile(UFW_FILES.defaults),
    readUfwFile(host, UFW_FILES.rules),
    readUfwFile(host, UFW_FILES.rules6),
  ]);
  const d = parseSettings(defaults ?? '');
  return {
    installed: bin !== null,
    enabled: parseSettings(conf ?? '').ENABLED === 'yes',
    ipv6: d.IPV6 === 'yes',
    defaults: d,
    tuples: [...parseTuples(rules ?? '', false), ...parseTuples(rules6 ?? '', true)],
  };
}

/** A tuple line as ufw writes it into user.rules (the form parseTuples reads back). */
export function formatTuple(t: UfwTuple): string {
  const app = (s: string) => (s ? s.replace(/ /g, '%20') : '-');
  const apps = t.dapp || t.sapp ? ` ${app(t.dapp)} ${app(t.sapp)}` : '';
  return `### tuple ### ${t.action} ${t.proto} ${t.dport} ${t.dst} ${t.sport} ${t.src}${apps} ${t.direction}${t.comment ? ` comment=${t.comment}` : ''}`;
}

/** Replace a KEY=value setting in a shell-style file's text (or add it). */
export function setSetting(text: string, key: string, value: string): string {
  const line = `${key}=${value}`;
  const re = new RegExp(`^\\s*${key}=.*$`, 'm');
  return re.test(text) ? text.replace(re, line) : `${text}${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`;
}

export const hexComment = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

/** Natural order of port items, as ufw sorts a port list before storing it. */
export function normalizePorts(ports: string): string {
  if (ports === 'any') return ports;
  const key = (p: string) => Number(p.split(':')[0]);
  return ports.split(',').sort((a, b) => key(a) - key(b) || a.localeCompare(b)).join(',');
}

export const isV6 = (addr: string): boolean => addr.includes(':');

/** An address or network the way ufw stores it: no host mask, IPv4 networks at their base. */
export function normalizeAddress(addr: string, v6: boolean): string {
  if (addr === 'any') return v6 ? '::/0' : '0.0.0.0/0';
  const [ip, given] = addr.split('/');
  let mask: string | undefined = given;
  if (!v6 && mask && /^\d+\.\d+\.\d+\.\d+$/.test(mask)) mask = dottedToCidr(mask) ?? mask;
  if (mask === (v6 ? '128' : '32') || (!v6 && mask === '255.255.255.255')) mask = undefined;
  if (v6) {
    // The URL parser prints an IPv6 address in its canonical compressed form, as inet_ntop does.
    const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
    return mask ? `${canonical}/${mask}` : canonical;
  }
  if (!mask || !/^\d+$/.test(mask)) return mask ? `${ip}/${mask}` : ip;
  const bits = Number(mask);
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const base = bits === 0 ? 0 : n - (n % 2 ** (32 - bits));
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${bits}`;
}

function dottedToCidr(mask: string): string | undefined {
  const bin = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bin) ? String(bin.indexOf('0') === -1 ? 32 : bin.indexOf('0')) : undefined;
}

/** Does a stored port field cover this port? ("22", "80,443", "6000:6007", "any"). */
export function portCovers(dport: string, port: number): boolean {
  if (dport === 'any') return true;
  return dport.split(',').some((item) => {
    const [lo, hi = lo] = item.split(':').map(Number);
    return port >= lo && port <= hi;
  });
}

// What ufw's postinst copies into /etc/ufw on a fresh install (Debian's ufw package).
const TEMPLATES: Record<string, string> = {
  [UFW_FILES.conf]: '/usr/share/ufw/ufw.conf',
  [UFW_FILES.rules]: '/usr/share/ufw/iptables/user.rules',
  [UFW_FILES.rules6]: '/usr/share/ufw/iptables/user6.rules',
};

/**
 * One of ufw's files. In --test, while ufw is still to be installed, its postinst makes them from
 * the templates it ships, changed only by debconf answers (ufw/enable, ufw/allow_*): when debconf
 * holds none for ufw, the files are those templates; otherwise they stay unknown.
 */
async function readUfwFile(host: HostView, path: string): Promise<string | null> {
  try {
    return await host.readFile(path);
  } catch (err) {
    if (!(err instanceof UnknownError) || !TEMPLATES[path] || !host.predicted?.('file', UFW_FILES.binary)?.packaged) throw err;
    const answers = await host.readFile('/var/cache/debconf/config.dat');
    if (answers === null || /^Name: ufw\//m.test(answers)) throw err;
    const template = await host.readFile(TEMPLATES[path]);
    if (template === null) throw err;
    return template;
  }
}

async function modeOf(o: HostView, path: string, fallback: number): Promise<number> {
  try {
    return (await o.stat(path))?.mode ?? fallback;
  } catch (err) {
    if (err instanceof UnknownError) return fallback;
    throw err;
  }
}

/** What a change to ufw leaves in its files, for a dry run's predicted host. */
export async function predictSetting(o: FileWriter, path: string, key: string, value: string): Promise<void> {
  const text = path in TEMPLATES ? await readUfwFile(o, path) : await o.readFile(path);
  await o.writeFile(path, setSetting(text ?? '', key, value), { mode: await modeOf(o, path, 0o644), uid: 0, gid: 0 });
}

/** `ufw allow …`: the rule's tuples replace any with the same target, in user.rules / user6.rules. */
export async function predictTuples(o: FileWriter, tuples: UfwTuple[], same: (a: UfwTuple, b: UfwTuple) => boolean): Promise<void> {
  for (const v6 of [false, true]) {
    const mine = tuples.filter((t) => t.v6 === v6);
    if (!mine.length) continue;
    const path = v6 ? UFW_FILES.rules6 : UFW_FILES.rules;
    const text = (await readUfwFile(o, path)) ?? '';
    const kept = text.split('\n').filter((l) => !(l.startsWith('### tuple ###') && parseTuples(l, v6).some((t) => mine.some((m) => same(t, m)))));
    if (kept[kept.length - 1] === '') kept.pop();
    await o.writeFile(path, [...kept, ...mine.map(formatTuple)].join('\n') + '\n', { mode: await modeOf(o, path, 0o640), uid: 0, gid: 0 });
  }
}
