// Helpers for provision's end-to-end tests: run the real bundle as the controller, small test
// projects in temp dirs, and a `ps` watcher on a host.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { BUNDLE } from '../cli/support.js';
import type { TestHost } from '../harness/test-host.js';
import { makeProject } from '../support/project.js';
import { makeDev } from './stack-support.js';
import { tempDir } from '../support/temp.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node dist/brine.js ARGS` with no colour, as an operator would run it. */
export function brineProcess(args: string[]): ResultPromise<{ reject: false; env: Record<string, string> }> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build (npm test does)`);
  return execa('node', [BUNDLE, ...args], { reject: false, env: { NO_COLOR: '1' } });
}

export async function brine(args: string[]): Promise<CliResult> {
  const t0 = Date.now();
  const r = await brineProcess(args);
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
}

/** A developer key pair for the test project's user. */
export async function devKey(): Promise<{ key: string; pub: string }> {
  return makeDev(tempDir('brine-devkey-'), 'dev');
}

/**
 * A small project with two environments: staging creates a developer with a key and sudo, and
 * a config file holding a secret; production has its own secret that must never reach staging.
 */
export function testProject(o: { staging: string[]; production?: string[]; devPub: string; stagingSecret: string; prodSecret: string; extraStates?: string }): string {
  return makeProject({
    'states/top.yaml': "base:\n  '*': [users, app]\n",
    'states/users.yaml': `
sudo:
  cmd.run:
    name: [apt-get, install, -y, -q, --no-install-recommends, sudo]
    creates: /usr/bin/sudo
    env: {DEBIAN_FRONTEND: noninteractive}
dev-user:
  cmd.run:
    name: [useradd, --create-home, --shell, /bin/bash, {{yaml pillar.dev.name}}]
    unless: [[id, {{yaml pillar.dev.name}}]]
/home/{{pillar.dev.name}}/.ssh:
  file.directory:
    user: {{yaml pillar.dev.name}}
    mode: 700
    require: [cmd: dev-user]
/home/{{pillar.dev.name}}/.ssh/authorized_keys:
  file.managed:
    contents: {{yaml pillar.dev.key}}
    user: {{yaml pillar.dev.name}}
    mode: 600
/etc/sudoers.d/{{pillar.dev.name}}:
  file.managed:
    contents: "{{pillar.dev.name}} ALL=(ALL) NOPASSWD: ALL"
    mode: 440
    check_cmd: [visudo, -cf]
    require: [cmd: sudo]
`,
    'states/app.yaml': `
/srv/app:
  file.directory:
    mode: 755
/srv/app/config.ini:
  file.managed:
    source: salt://app.ini
    template: handlebars
    mode: 600
/etc/motd:
  file.managed:
    contents: "Welcome to {{pillar.name}} ({{env}})"
${o.extraStates ?? ''}`,
    'states/app.ini': '[app]\nname = {{pillar.name}}\ndb_password = {{pillar.db_password}}\n',
    'pillar/top.yaml': "base:\n  '*': [common]\nstaging:\n  '*': [staging.secrets]\nproduction:\n  '*': [production.secrets]\n",
    'pillar/common.yaml': `name: shop\ndev:\n  name: dev\n  key: ${JSON.stringify(o.devPub)}\n`,
    'pillar/staging/env.yaml': `environment: staging\nhosts:\n${o.staging.map((a) => `  - {address: ${a}, roles: [web]}\n`).join('')}`,
    'pillar/staging/secrets.yaml': `db_password: ${o.stagingSecret}\n`,
    'pillar/production/env.yaml': `environment: production\nhosts:\n${(o.production ?? ['192.0.2.10']).map((a) => `  - {address: ${a}}\n`).join('')}`,
    'pillar/production/secrets.yaml': `db_password: ${o.prodSecret}\n`,
  });
}

/** Polls `ps` on the host until stopped (as root, or through `run` once root cannot log in); returns every command line seen. */
export function watchPs(h: TestHost, run = (argv: string[]) => h.ssh(argv, { timeout: 10_000 })): { stop: () => Promise<string[]> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await run(['ps', '-eo', 'args', '--no-headers']);
      r.stdout.split('\n').forEach((l) => seen.add(l));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return [...seen];
    },
  };
}

/** Files on the whole host holding `value` (given on stdin, so grep's own argv doesn't match). */
export async function filesContaining(h: TestHost, value: string): Promise<string[]> {
  const r = await h.ssh(['grep', '-rlF', '-f', '-', '--exclude-dir=proc', '--exclude-dir=sys', '--exclude-dir=dev', '/'], { input: `${value}\n`, timeout: 120_000 });
  return r.stdout.split('\n').filter(Boolean).sort();
}
