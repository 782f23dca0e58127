// Finds the machine's own Debian mirror in its apt configuration (deb822 *.sources or
// one-line *.list), so rootfs builds use it: no mirror host is ever written into the repo.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AptEntry {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
}

export interface DebianMirrors {
  archive: string;
  security?: string;
}

/** Parses a deb822 .sources file: paragraphs of `Field: value` lines. */
export function parseDeb822(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of para.split('\n')) {
      if (line.startsWith('#') || !line.trim()) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((last = m[1].toLowerCase()), m[2]);
      else if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
    }
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (fields.has('uris')) {
      entries.push({ types: list('types'), uris: list('uris'), suites: list('suites'), components: list('components') });
    }
  }
  return entries;
}

/** Parses one-line style: `deb [options] URI SUITE COMPONENT...`. */
export function parseOneLine(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if ((type === 'deb' || type === 'deb-src') && uri && suite) {
      entries.push({ types: [type], uris: [uri], suites: [suite], components });
    }
  }
  return entries;
}

/**
 * Picks Debian's archive and security URIs: entries of type deb whose suites are the host's
 * own release (`bookworm`, `bookworm-updates`, `bookworm-security`…). Third-party repos
 * (nodistro, cloud-sdk-bookworm) never match.
 */
export function pickDebianMirrors(entries: AptEntry[], codename: string): DebianMirrors {
  let archive: string | undefined;
  let security: string | undefined;
  for (const e of entries) {
    if (!e.types.includes('deb') || !e.components.includes('main')) continue;
    for (const suite of e.suites) {
      if (suite === `${codename}-security` || suite === `${codename}/updates`) security ??= e.uris[0];
      else if (suite === codename || suite === `${codename}-updates`) archive ??= e.uris[0];
    }
  }
  if (!archive) throw new Error(`no Debian '${codename}' main entry found in the apt sources`);
  return { archive, security };
}

/** The host's apt entries, from /etc/apt (or another root, for tests). */
export function readAptEntries(etcApt = '/etc/apt'): AptEntry[] {
  const entries: AptEntry[] = [];
  const list = join(etcApt, 'sources.list');
  if (existsSync(list)) entries.push(...parseOneLine(readFileSync(list, 'utf8')));
  const dir = join(etcApt, 'sources.list.d');
  for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const text = () => readFileSync(join(dir, f), 'utf8');
    if (f.endsWith('.sources')) entries.push(...parseDeb822(text()));
    else if (f.endsWith('.list')) entries.push(...parseOneLine(text()));
  }
  return entries;
}

export function hostCodename(osRelease = '/etc/os-release'): string {
  const m = /^VERSION_CODENAME=["']?([a-z]+)/m.exec(readFileSync(osRelease, 'utf8'));
  if (!m) throw new Error(`no VERSION_CODENAME in ${osRelease}`);
  return m[1];
}

/** mmdebstrap source lines for `suite`, served from the machine's own mirrors. */
export function debianSourceLines(suite: string, mirrors = pickDebianMirrors(readAptEntries(), hostCodename())): string[] {
  const lines = [`deb ${mirrors.archive} ${suite} main`, `deb ${mirrors.archive} ${suite}-updates main`];
  if (mirrors.security) lines.push(`deb ${mirrors.security} ${suite}-security main`);
  return lines;
}
