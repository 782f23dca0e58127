// What an apt-get install or remove leaves for a dry run's predicted host: dpkg's status as brine
// reads it, and what the packages bring marked unknown until they are installed. Which packages
// apt would install comes from `apt-get -s` (a simulation: reads only); what they ship, from their
// .deb files when apt's cache holds them (`dpkg-deb -c`). Without those, every path not on the
// host yet is unknown while the install is pending: less precise, never a guess.
import type { Overlay, Territory } from '../../host/predicted.js';
import { UnknownError } from '../../core/errors.js';
import { DPKG_STATUS } from './dpkg.js';

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

/** `apt-get install` of `argv`'s targets: which packages, and what they ship marked unknown. */
export async function predictInstall(o: Overlay, installArgv: string[], wanted: string[]): Promise<void> {
  const source = wanted.join(', ');
  const sim = o.precise ? await o.query(['apt-get', '-s', ...installArgv.slice(1)], { env: { DEBIAN_FRONTEND: 'noninteractive' } }) : { exitCode: -1, stdout: '' };
  const pkgs = sim.exitCode === 0 ? parseSimulation(sim.stdout) : [];
  const installed = pkgs.length ? pkgs : wanted.map((name) => ({ name, version: '(unknown)', arch: 'all' }));
  await writeStatus(o, withInstalled((await o.readFile(DPKG_STATUS)) ?? '', installed));
  o.unknown(await territory(o, sim.exitCode === 0 ? pkgs : undefined, source, wanted.length > 1 ? 'are installed' : 'is installed'));
}

async function territory(o: Overlay, pkgs: Inst[] | undefined, source: string, until: string): Promise<Territory> {
  const anything: Territory = { source, until };
  if (!pkgs) return anything;
  const paths = new Set<string>();
  const dirs: string[] = [];
  for (const p of pkgs) {
    const deb = `${ARCHIVES}/${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
    if (!(await o.stat(deb))) return anything;
    const r = await o.query(['dpkg-deb', '-c', deb]);
    if (r.exitCode !== 0) return anything;
    await accountsOf(o, deb, source, until);
    for (const line of r.stdout.split('\n')) {
      // "drwxr-xr-x root/root 0 2023-05-18 14:03 ./etc/ufw/" (links: "./a -> b")
      const m = / \.(\/\S*)(?: -> .*)?$/.exec(line);
      if (!m || m[1] === '/') continue;
      const path = m[1].replace(/\/$/, '');
      // Directories already there (/etc, /usr/bin) stay readable; new ones are the package's.
      if (!line.startsWith('d')) paths.add(path);
      else if (!(await exists(o, path))) dirs.push(path);
    }
  }
  // A maintainer script may add files beside them (nginx's sites-enabled/default): the whole of a
  // directory the package brings is its own.
  return { source, until, paths, dirs: dirs.filter((d) => !dirs.some((p) => d.startsWith(p + '/'))) };
}

/**
 * The system users and groups a package's postinst makes (`adduser --system --group redis`): in
 * /etc/passwd and /etc/group, outside what it ships, so noted as facts: a state declaring one of
 * them cannot tell whether it will exist until the package is installed.
 */
async function accountsOf(o: Overlay, deb: string, source: string, until: string): Promise<void> {
  const r = await o.query(['dpkg-deb', '-I', deb, 'postinst']);
  if (r.exitCode !== 0) return;
  // Continued lines joined; the script's own variables (USER=redis … ${USER}) put in.
  const vars = new Map([...r.stdout.matchAll(/^\s*([A-Za-z_]\w*)=["']?([a-z_][a-z0-9_-]*)["']?\s*$/gm)].map((m) => [m[1], m[2]]));
  const text = r.stdout.replace(/\\\n/g, ' ').replace(/\$\{?(\w+)\}?/g, (all, v: string) => vars.get(v) ?? all);
  for (const line of text.split('\n')) {
    if (!/\b(adduser|addgroup|useradd|groupadd)\b/.test(line)) continue;
    for (const word of line.split(/\s+/)) if (/^[a-z_][a-z0-9_-]*$/.test(word)) o.setFact('account', word, { source, until });
  }
}

async function exists(o: Overlay, path: string): Promise<boolean> {
  try {
    return (await o.stat(path)) !== null;
  } catch (err) {
    if (err instanceof UnknownError) return false;
    throw err;
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
