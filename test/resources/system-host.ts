// A FakeHost seeded like a Debian server for pkg/service/ufw plans: dpkg status, apt lists,
// scripted apt-cache policy and systemctl show answers built from small tables.
import { readFileSync } from 'node:fs';
import { FakeHost } from '../support/fake-host.js';
import type { FileStat } from '../../src/host/types.js';

export const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** FakeHost with modification times, which FakeHost itself does not keep. */
export class SystemHost extends FakeHost {
  readonly mtimes = new Map<string, number>();

  override async stat(path: string): Promise<FileStat | null> {
    const st = await super.stat(path);
    return st && this.mtimes.has(path) ? { ...st, mtimeMs: this.mtimes.get(path) } : st;
  }

  /** Fresh apt lists (updated a minute ago) with one Packages file. */
  aptLists(ageSeconds = 60): this {
    this.file('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages', '');
    this.mtimes.set('/var/lib/apt/lists', Date.now() - ageSeconds * 1000);
    return this;
  }

  /** apt-cache policy answering from a table: name → [candidate, ...other versions]; absent = unknown. */
  aptPolicy(table: Record<string, string[]>): this {
    return this.on(['apt-cache', 'policy'], (argv) => ({
      stdout: argv
        .slice(2)
        .filter((n) => table[n])
        .map((n) => {
          const [candidate, ...others] = table[n];
          const rows = [candidate, ...others].filter(Boolean).map((v) => `     ${v} 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n`);
          return `${n}:\n  Installed: (none)\n  Candidate: ${candidate || '(none)'}\n  Version table:\n${rows.join('')}`;
        })
        .join(''),
    }));
  }

  /**
   * What apt-get -s would install (name → [version, files it ships, maintainer scripts?]), with
   * each .deb in apt's cache, listed and read the way brine reads them (a path ending in / is a
   * directory; a file's content is its path, unless `contents` says otherwise).
   */
  debs(table: Record<string, [string, string[], string?]>, contents: Record<string, string> = {}): this {
    this.on(['apt-get', '-s'], (argv) => ({
      stdout: argv.filter((a) => table[a]).map((n) => `Inst ${n} (${table[n][0]} Debian:12.5/stable [all])\n`).join(''),
    }));
    const info = new Map<string, { listing: string; scripts: string }>();
    for (const [name, [version, files, scripts = '']] of Object.entries(table)) {
      const deb = `/var/cache/apt/archives/${name}_${version.replace(/:/g, '%3a')}_all.deb`;
      this.file(deb, '');
      const listing = files.map((f) => `${f.endsWith('/') ? 'drwxr-xr-x' : '-rw-r--r--'} root/root 0 2023-05-18 14:03 .${f}`).join('\n');
      info.set(deb, { listing: `drwxr-xr-x root/root 0 2023-05-18 14:03 ./\n${listing}\n`, scripts });
    }
    this.on((argv) => {
      if (argv[0] !== '/bin/sh' || argv[1] !== '-c') return undefined;
      if (argv[3] === 'brine-debs')
        return { stdout: argv.slice(4).map((d) => `\n@@deb ${d}\n${info.get(d)!.listing}\n@@script\n${info.get(d)!.scripts}`).join('') };
      if (argv[3] === 'brine-unpack') {
        this.file(argv[6], contents[argv[5].slice(1)] ?? argv[5].slice(1));
        return { exitCode: 0 };
      }
      return undefined;
    });
    return this;
  }

  /** systemctl show answering from a table of units (missing ones are not-found), in argv order. */
  units(table: Record<string, Partial<Record<string, string>>>): this {
    return this.on(['systemctl', 'show'], (argv) => ({
      stdout: argv
        .slice(argv.indexOf('--') + 1)
        .map((u) => {
          const p = table[u] ?? { LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', UnitFileState: '' };
          const props = { Id: u, LoadState: 'loaded', ActiveState: 'active', SubState: 'running', FragmentPath: `/lib/systemd/system/${u}`, UnitFileState: 'enabled', CanReload: 'no', NeedDaemonReload: 'no', ...p };
          return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
        })
        .join('\n'),
    }));
  }
}

/** A dpkg status file: [name, version, status?] per package, all amd64. */
export function dpkgStatus(entries: [string, string, string?][]): string {
  return entries.map(([name, version, status = 'install ok installed']) => `Package: ${name}\nStatus: ${status}\nArchitecture: amd64\nVersion: ${version}\nDescription: ${name}\n`).join('\n');
}

/** Commands run, as one string each ("apt-cache policy nginx-light"). */
export const commandLines = (host: FakeHost) => host.commands().map((c) => c.join(' '));
