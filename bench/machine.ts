// What the results were measured on: this machine, and the tools' versions on the hosts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { TestHost } from '../test/harness/index.js';
import type { BenchResults } from './results.js';
import { REMOTE } from './tools.js';

export function machine(): BenchResults['machine'] {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return {
    nproc: cpus().length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    os: /^PRETTY_NAME="?([^"\n]*)/m.exec(osRelease)?.[1] ?? 'unknown',
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
  };
}

/** The Debian packages behind each tool, as installed on the host, and brine's own commit. */
const PACKAGES = ['nodejs', 'ansible', 'ansible-core', 'puppet-agent', 'ruby', 'python3'];

/** The checkout's short commit, or 'unknown' outside a git checkout (the version alone says enough). */
export function commit(repo: string): string {
  try {
    return execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export async function versions(host: TestHost, repo: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const brine = (await host.sshOk(['node', `${REMOTE}/brine/brine.js`, '--version'])).trim();
  out.brine = `${brine} (${commit(repo)})`;
  const dpkg = await host.sshOk(['dpkg-query', '-W', '-f', '${Package} ${Version}\\n', ...PACKAGES]);
  for (const line of dpkg.trim().split('\n')) {
    const [name, version] = line.split(' ');
    out[name] = version;
  }
  return out;
}
