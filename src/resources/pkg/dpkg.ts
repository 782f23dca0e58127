// Debian package facts: dpkg's status file parsed directly (no process), and `apt-cache policy`
// output parsed into candidate and available versions.
import type { HostView } from '../../host/types.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';

export interface DpkgEntry {
  name: string;
  arch: string;
  version: string;
  /** The Status field's three words: want, error flag, state ("install ok installed"). */
  status: string;
}

/** Installed means the state word is `installed`; a held package (`hold ok installed`) is installed too. */
export const isInstalled = (e: DpkgEntry | undefined): boolean => !!e && /^(install|hold) ok installed$/.test(e.status);

/** On the system in any form that `apt-get remove` would act on (not absent, not only config files left). */
export const isPresent = (e: DpkgEntry | undefined): boolean => !!e && !/ (not-installed|config-files)$/.test(e.status);

/** Package name (or name:arch) → entry. A bare name finds an installed entry of any architecture. */
export function parseDpkgStatus(text: string): Map<string, DpkgEntry> {
  const out = new Map<string, DpkgEntry>();
  let e: DpkgEntry = { name: '', arch: '', version: '', status: '' };
  const flush = () => {
    if (e.name) {
      out.set(`${e.name}:${e.arch}`, e);
      if (!out.has(e.name) || (isInstalled(e) && !isInstalled(out.get(e.name)))) out.set(e.name, e);
    }
    e = { name: '', arch: '', version: '', status: '' };
  };
  // Line by line: the file holds every package's full control data (megabytes on a real host).
  for (const line of text.split('\n')) {
    if (line === '') flush();
    else if (line.startsWith('Package:')) e.name = line.slice(8).trim();
    else if (line.startsWith('Architecture:')) e.arch = line.slice(13).trim();
    else if (line.startsWith('Version:')) e.version = line.slice(8).trim();
    else if (line.startsWith('Status:')) e.status = line.slice(7).trim();
  }
  flush();
  return out;
}

/** dpkg's view of installed packages, read once per run (until a change is applied). */
export function readDpkgStatus(host: HostView): Promise<Map<string, DpkgEntry>> {
  return host.facts.get('dpkg-status', async () => parseDpkgStatus((await host.readFile(DPKG_STATUS)) ?? ''));
}

export interface PolicyEntry {
  /** undefined when apt has no installation candidate (virtual or unavailable package). */
  candidate?: string;
  versions: string[];
}

/** `apt-cache policy a b c` → name → entry. Packages apt does not know are simply absent. */
export function parseAptPolicy(text: string): Map<string, PolicyEntry> {
  const out = new Map<string, PolicyEntry>();
  let cur: PolicyEntry | undefined;
  const version = (v: string) => (v === '(none)' ? undefined : v);
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      out.set(head[1], (cur = { versions: [] }));
      continue;
    }
    if (!cur) continue;
    const m = /^ {2}Candidate: (\S+)$/.exec(line);
    if (m) cur.candidate = version(m[1]);
    // Version table rows: " *** 1.2-1 500" (installed) or "     1.2-1 500"; source rows are indented deeper.
    const row = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (row) cur.versions.push(row[1]);
  }
  return out;
}

/** Look a package up in policy output; apt prints `libc6:amd64` of the native architecture as `libc6`. */
export function policyFor(policy: Map<string, PolicyEntry>, name: string): PolicyEntry | undefined {
  return policy.get(name) ?? (name.includes(':') ? policy.get(name.slice(0, name.indexOf(':'))) : undefined);
}
