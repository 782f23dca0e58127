// What an apt-get install or remove leaves for a dry run's predicted host: dpkg's status as brine
// reads it, and what the packages bring marked unknown until they are installed. Which packages
// apt would install comes from `apt-get -s` (a simulation: reads only); what they ship, from their
// .deb files when apt's cache holds them (`dpkg-deb -c`). Without those, every path not on the
// host yet is unknown while the install is pending: less precise, never a guess.
import { basename, dirname } from 'node:path';
import type { Shipped, Territory } from '../../host/packaged.js';
import type { Overlay } from '../../host/predicted.js';
import { UnknownError } from '../../core/errors.js';
import { DPKG_STATUS } from './dpkg.js';
import { readGroups, readPasswd } from '../accounts/passwd.js';
import { predictGroupadd, predictUseradd } from '../accounts/predict.js';

const ARCHIVES = '/var/cache/apt/archives';

interface Inst {
  name: string;
  version: string;
  arch: string;
}

/** `Inst nginx-common (1.22.1-9 Debian:12.5/stable [all])` lines of `apt-get -s install`. */
export function parseSimulation(text: string): Inst[] {
  const out: Inst[] = [];
  for (const line of text.split('\n')) {
    const m = /^Inst (\S+) (?:\[\S+\] )?\((\S+) .*\[([^\]]+)\]\)/.exec(line);
    if (m) out.push({ name: m[1], version: m[2], arch: m[3] });
  }
  return out;
}

/** dpkg's status text with these packages installed (their stanzas replaced or added). */
export function withInstalled(status: string, pkgs: Inst[]): string {
  const stanzas = status.split(/\n\n+/).filter((s) => s.trim());
  const nameOf = (s: string) => /^Package: (\S+)$/m.exec(s)?.[1];
  const kept = stanzas.filter((s) => !pkgs.some((p) => p.name === nameOf(s)));
  const added = pkgs.map((p) => `Package: ${p.name}\nStatus: install ok installed\nArchitecture: ${p.arch}\nVersion: ${p.version}`);
  return [...kept, ...added].join('\n\n') + '\n';
}

/** dpkg's status text with these packages removed (config files left, as apt-get remove does). */
export function withRemoved(status: string, names: string[]): string {
  return status
    .split(/\n\n+/)
    .filter((s) => s.trim())
    .map((s) => (names.includes(/^Package: (\S+)$/m.exec(s)?.[1] ?? '') ? s.replace(/^Status: .*$/m, 'Status: deinstall ok config-files') : s))
    .join('\n\n') + '\n';
}

async function writeStatus(o: Overlay, text: string): Promise<void> {
  const st = await o.stat(DPKG_STATUS);
  await o.writeFile(DPKG_STATUS, text, { mode: st?.mode ?? 0o644, uid: 0, gid: 0 });
}

/** `apt-get install` of `argv`'s targets: which packages, and what they ship. */
export async function predictInstall(o: Overlay, installArgv: string[], wanted: string[]): Promise<void> {
  const source = wanted.join(', ');
  const sim = o.precise ? await o.query(['apt-get', '-s', ...installArgv.slice(1)], { env: { DEBIAN_FRONTEND: 'noninteractive' } }) : { exitCode: -1, stdout: '' };
  const pkgs = sim.exitCode === 0 ? parseSimulation(sim.stdout) : [];
  const installed = pkgs.length ? pkgs : wanted.map((name) => ({ name, version: '(unknown)', arch: 'all' }));
  const status = (await o.readFile(DPKG_STATUS)) ?? '';
  // apt simulates against the real host: what an earlier state of this run installs is no news.
  const fresh = pkgs.filter((p) => !new RegExp(`^Package: ${escape(p.name)}\nStatus: install ok installed\n(?:.+\n)*?Version: ${escape(p.version)}$`, 'm').test(status));
  await writeStatus(o, withInstalled(status, installed));
  if (sim.exitCode === 0 && !fresh.length) return;
  for (const t of await territories(o, sim.exitCode === 0 ? fresh : undefined, source, wanted.length > 1 ? 'are installed' : 'is installed')) o.unknown(t);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A .deb's file list and maintainer scripts, read once per run. */
interface DebInfo {
  listing: string;
  scripts: string;
}

const debCache = new WeakMap<Overlay, Map<string, DebInfo>>();

/** Lists and scripts of these .debs: two processes (one per core), however many packages. */
async function readDebs(o: Overlay, debs: string[]): Promise<Map<string, DebInfo> | undefined> {
  let cache = debCache.get(o);
  if (!cache) debCache.set(o, (cache = new Map()));
  const todo = debs.filter((d) => !cache.has(d));
  const halves = [todo.filter((_, i) => i % 2 === 0), todo.filter((_, i) => i % 2 === 1)].filter((h) => h.length);
  const script = 'for d; do printf "\\n@@deb %s\\n" "$d"; dpkg-deb -c "$d" || exit 1; for s in preinst postinst config; do printf "\\n@@script\\n"; dpkg-deb -I "$d" "$s" 2>/dev/null; done; done; exit 0';
  const results = await Promise.all(halves.map((h) => o.query(['/bin/sh', '-c', script, 'brine-debs', ...h])));
  if (results.some((r) => r.exitCode !== 0)) return undefined;
  for (const r of results) {
    for (const part of r.stdout.split('\n@@deb ').slice(1)) {
      const [head, ...scripts] = part.split('\n@@script\n');
      const nl = head.indexOf('\n');
      cache.set(head.slice(0, nl), { listing: head.slice(nl + 1), scripts: scripts.join('\n') });
    }
  }
  return cache;
}

/** Where each package's .deb is: apt's cache, or fetched for this dry run into scratch space. */
async function debsOf(o: Overlay, pkgs: Inst[]): Promise<string[] | undefined> {
  const file = (p: Inst) => `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
  const paths = await Promise.all(pkgs.map(async (p) => ((await presence(o, `${ARCHIVES}/${file(p)}`)) === 'present' ? `${ARCHIVES}/${file(p)}` : undefined)));
  const missing = pkgs.filter((_, i) => !paths[i]);
  if (!missing.length) return paths as string[];
  // `apt-get download` fetches exactly these versions into brine's private scratch directory
  // (removed when the run ends), never into apt's cache: the host is left as it was.
  const dir = dirname(await o.scratch('', { name: 'apt-download' }));
  const r = await o.query(['apt-get', 'download', '-q', ...missing.map((p) => `${p.name}:${p.arch === 'all' ? 'all' : p.arch}=${p.version}`)], { cwd: dir, timeout: 600_000 });
  if (r.exitCode !== 0) return undefined;
  return pkgs.map((p, i) => paths[i] ?? `${dir}/${file(p)}`);
}

// "-rw-r--r-- root/root   2412 2026-11-19 21:01 ./etc/nginx/sites-available/default" ("./a -> b" for links)
const LISTING = /^([-dlhcbps])([-rwxsStT]{9}) (\S+)\/(\S+) +(\d+) \S+ \S+ \.(\/.*?)\/?(?: -> (.*))?$/;

function modeOf(perm: string): number {
  let m = 0;
  for (let i = 0; i < 9; i++) if (perm[i] !== '-' && perm[i] !== 'S' && perm[i] !== 'T') m |= 1 << (8 - i);
  if (/[sS]/.test(perm[2])) m |= 0o4000;
  if (/[sS]/.test(perm[5])) m |= 0o2000;
  if (/[tT]/.test(perm[8])) m |= 0o1000;
  return m;
}

/**
 * What each package brings, as its own territory ("unknown until nginx-common is installed"), or,
 * without their .debs, one territory where anything not on the host may be theirs.
 */
async function territories(o: Overlay, pkgs: Inst[] | undefined, source: string, until: string): Promise<Territory[]> {
  const anything: Territory[] = [{ source, until }];
  if (!pkgs) return anything;
  const debs = await debsOf(o, pkgs);
  const infos = debs && (await readDebs(o, debs));
  if (!debs || !infos) return anything;
  const out: Territory[] = [];
  for (const [i, deb] of debs.entries()) {
    const info = infos.get(deb)!;
    const name = pkgs[i].name;
    const sc = readScripts(info.scripts);
    await accountsOf(o, sc, name, 'is installed');
    const ships = new Map<string, Shipped>();
    const paths = new Set<string>();
    const dirs = new Set<string>();
    for (const line of info.listing.split('\n')) {
      const m = LISTING.exec(line);
      if (!m || m[6] === '/') continue;
      const [, type, perm, user, group, size, path, target] = m;
      // Under a directory this package brings there is nothing yet.
      const there = ships.has(dirname(path)) ? 'absent' : await presence(o, path);
      if (type === 'd') {
        if (there === 'absent') {
          ships.set(path, { type: 'directory', mode: modeOf(perm) });
          dirs.add(path);
        }
        continue;
      }
      // What replaces a file already there (an upgrade: conffiles the admin changed stay), or is
      // owned by someone else (dpkg-statoverride, a user its scripts make), is for dpkg to say.
      if (there !== 'absent' || user !== 'root' || group !== 'root' || (type !== '-' && type !== 'l')) paths.add(path);
      else if (type === 'l') ships.set(path, { type: 'symlink', target: target ?? '' });
      else ships.set(path, { type: 'file', mode: modeOf(perm), size: Number(size), deb, member: `.${path}` });
    }
    // What its maintainer scripts name: full paths, and, in the new directories it ships, bare names
    // ("default" in nginx-common's postinst, which links sites-enabled/default).
    const named = new Set([...sc.text.matchAll(/\/[\w.+@-]+(?:\/[\w.+@-]+)*/g)].map((m) => m[0]));
    const words = new Set(sc.text.split(/[^\w.+@-]+/).filter(Boolean));
    const names = (path: string) => named.has(path) || (dirs.has(dirname(path)) && words.has(basename(path)));
    // A directory it ships is there whatever its scripts do; a file they name may not be as
    // shipped, except under /usr, which maintainer scripts run but never edit (Debian policy).
    for (const [path, s] of ships) if (s.type !== 'directory' && !path.startsWith('/usr/') && names(path)) paths.add(path);
    // dpkg-statoverride sets a shipped file's owner and mode (redis.conf: redis:redis 0640).
    const users = sc.overrides.length ? await readPasswd(o) : [];
    const groups = sc.overrides.length ? await readGroups(o) : [];
    for (const ov of sc.overrides) {
      const s = ships.get(ov.path);
      const uid = users.find((u) => u.name === ov.user)?.uid;
      const gid = groups.find((g) => g.name === ov.group)?.gid;
      if (s?.type === 'file' && uid !== undefined && gid !== undefined) ships.set(ov.path, { ...s, mode: ov.mode, uid, gid });
      else paths.add(ov.path);
    }
    out.push({ source: name, until: 'is installed', paths, ships, names });
  }
  return out;
}

async function presence(o: Overlay, path: string): Promise<'absent' | 'present' | 'unknown'> {
  try {
    return (await o.stat(path)) === null ? 'absent' : 'present';
  } catch (err) {
    if (err instanceof UnknownError) return 'unknown';
    throw err;
  }
}

/** What a package's maintainer scripts say, read as far as brine reads them. */
export interface Scripts {
  /** The text that acts: variables put in, comments and bare assignments left out. */
  text: string;
  /** `dpkg-statoverride --update --add USER GROUP MODE PATH`: owner and mode after install. */
  overrides: { user: string; group: string; mode: number; path: string }[];
  /** `adduser --system [--group] NAME`, `addgroup --system NAME`: new, empty system accounts. */
  system: { name: string; group: boolean; user: boolean; home?: string; shell?: string }[];
  /** Every account name an account command mentions (whatever else it does to them). */
  accounts: string[];
}

const VALUED = new Set(['--home', '--shell', '--gecos', '--comment', '--uid', '--gid', '--ingroup', '--firstuid', '--lastuid', '--firstgid', '--lastgid', '--conf']);

export function readScripts(scripts: string): Scripts {
  // Continued lines joined; the script's own variables (USER=redis … ${USER}) put in.
  const vars = new Map<string, string>();
  const put = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (all, v: string) => vars.get(v) ?? all);
  for (const m of scripts.matchAll(/^\s*([A-Za-z_]\w*)=["']?([^"'\s`;|&]+)["']?\s*$/gm)) vars.set(m[1], put(m[2]));
  const lines = scripts
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(put)
    .filter((l) => !/^\s*(#|$)/.test(l) && !/^\s*[A-Za-z_]\w*=\S*\s*$/.test(l));
  const out: Scripts = { text: '', overrides: [], system: [], accounts: [] };
  const acting: string[] = [];
  for (const line of lines) {
    const words = line.trim().split(/\s+/);
    const at = words.findIndex((w) => w === 'dpkg-statoverride');
    if (at >= 0 && words.includes('--list')) continue; // a question, not a change
    const add = words.indexOf('--add');
    if (at >= 0 && add > at && /^[0-7]{3,4}$/.test(words[add + 3] ?? '') && words[add + 4]?.startsWith('/')) {
      out.overrides.push({ user: words[add + 1], group: words[add + 2], mode: parseInt(words[add + 3], 8), path: words[add + 4] });
      continue;
    }
    const cmd = words.findIndex((w) => /^(adduser|addgroup|useradd|groupadd|usermod|gpasswd|deluser|delgroup)$/.test(w));
    if (cmd >= 0) {
      const bare: string[] = [];
      const flags = new Set<string>();
      const opts = new Map<string, string>();
      for (let k = cmd + 1; k < words.length && !/^(;|&&|\|\||then|fi|>.*|2>.*)$/.test(words[k]); k++) {
        const w = words[k];
        if (VALUED.has(w)) opts.set(w, words[++k] ?? '');
        else if (w.startsWith('-')) flags.add(w);
        else bare.push(w.replace(/^["']|["']$/g, ''));
      }
      out.accounts.push(...bare.filter((w) => /^[a-z_][a-z0-9_-]*$/.test(w)));
      const c = words[cmd];
      const system = flags.has('--system') && bare.length === 1 && /^[a-z_][a-z0-9_-]*$/.test(bare[0]) && !opts.has('--uid') && !opts.has('--gid');
      if (system && c === 'adduser' && !opts.has('--ingroup')) out.system.push({ name: bare[0], group: flags.has('--group'), user: true, home: opts.get('--home'), shell: opts.get('--shell') });
      else if (system && c === 'addgroup') out.system.push({ name: bare[0], group: true, user: false });
      continue;
    }
    acting.push(line);
  }
  out.text = acting.join('\n');
  // An account another command also names (`adduser www-data redis`) is not just new and empty.
  out.system = out.system.filter((a) => out.accounts.filter((n) => n === a.name).length === 1);
  return out;
}

/**
 * The system users and groups a package's scripts make. `adduser --system [--group] NAME` makes
 * them new and empty: laid over the predicted host (their ids are the next free system ids, as
 * brine would pick them; nothing shown depends on them). Every account an account command names
 * is also noted: what more the scripts do to it (members, ids) is for them to say.
 */
async function accountsOf(o: Overlay, sc: Scripts, source: string, until: string): Promise<void> {
  for (const name of sc.accounts) o.setFact('account', name, { source, until });
  if (!sc.system.length) return;
  const users = await readPasswd(o);
  const groups = await readGroups(o);
  for (const a of sc.system) {
    if (a.group && !groups.some((g) => g.name === a.name)) await predictGroupadd(o, a.name, undefined, true);
    if (a.user && !users.some((u) => u.name === a.name)) {
      const group = a.group ? a.name : 'nogroup';
      await predictUseradd(o, { name: a.name, system: true, group, userGroup: false, groups: [], home: a.home ?? '/nonexistent', createhome: false, shell: a.shell ?? '/usr/sbin/nologin' });
    }
  }
}


/** `apt-get remove`: config files stay; what the packages shipped is unknown until then. */
export async function predictRemove(o: Overlay, names: string[]): Promise<void> {
  await writeStatus(o, withRemoved((await o.readFile(DPKG_STATUS)) ?? '', names));
  const paths = new Set<string>();
  for (const n of names) {
    const list = (await o.readFile(`/var/lib/dpkg/info/${n}.list`)) ?? (await o.readFile(`/var/lib/dpkg/info/${n}:amd64.list`)) ?? '';
    for (const p of list.split('\n').filter(Boolean)) if ((await o.stat(p))?.type !== 'directory') paths.add(p);
  }
  o.unknown({ source: `the removal of ${names.join(', ')}`, until: 'is done', paths });
}
