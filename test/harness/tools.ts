// Installs the host tools the harness needs when they are missing (CI starts from a fresh
// Debian machine): mmdebstrap, systemd-nspawn, ssh/ssh-keygen, rsync, ip, and the auditors the
// hardening test runs against hosts from outside (ssh-audit, testssl.sh).
import { existsSync, readdirSync } from 'node:fs';
import { execa } from 'execa';

/** Package → a binary whose presence shows it is installed. */
const TOOLS: Record<string, string> = {
  mmdebstrap: '/usr/bin/mmdebstrap',
  'systemd-container': '/usr/bin/systemd-nspawn',
  'openssh-client': '/usr/bin/ssh-keygen',
  rsync: '/usr/bin/rsync',
  iproute2: '/usr/sbin/ip',
  'ssh-audit': '/usr/bin/ssh-audit',
  'testssl.sh': '/usr/bin/testssl',
};

export function missingTools(): string[] {
  return Object.entries(TOOLS)
    .filter(([, bin]) => !existsSync(bin) && !existsSync(bin.replace(/^\/usr/, '')))
    .map(([pkg]) => pkg);
}

function haveAptLists(): boolean {
  try {
    return readdirSync('/var/lib/apt/lists').some((f) => f.includes('_Packages'));
  } catch {
    return false;
  }
}

const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };

async function aptInstall(pkgs: string[]) {
  return execa('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
    env: aptEnv,
    reject: false,
    all: true,
  });
}

/** Installs whatever is missing; a no-op (no apt call at all) when everything is there. */
export async function ensureHostTools(log: (msg: string) => void = () => {}): Promise<void> {
  const missing = missingTools();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing host tools (${missing.join(', ')}) and not root to install them`);
  }
  log(`installing host tools: ${missing.join(' ')}`);
  if (!haveAptLists()) await execa('apt-get', ['update'], { env: aptEnv });
  let res = await aptInstall(missing);
  if (res.exitCode !== 0) {
    // Stale lists (a package moved on the mirror): refresh once and retry.
    await execa('apt-get', ['update'], { env: aptEnv });
    res = await aptInstall(missing);
  }
  if (res.exitCode !== 0) {
    throw new Error(`apt-get install ${missing.join(' ')} failed:\n${res.all}`);
  }
  const still = missingTools();
  if (still.length) throw new Error(`host tools still missing after install: ${still.join(', ')}`);
}
