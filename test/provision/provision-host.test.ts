// One host's provision against a scripted ssh: the steps, their argv, statuses and masking.
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostKeyError } from '../../src/core/errors.js';
import { Secrets } from '../../src/core/secrets.js';
import { HostTrust } from '../../src/provision/host-keys/trust.js';
import { pillarForHost } from '../../src/provision/pillar-select.js';
import { agentArgv, provisionHost, type HostContext, type Phase } from '../../src/provision/provision-host.js';
import { makeProject } from '../support/project.js';
import { collected, FakeSsh, report, stateEvent } from './fake-ssh.js';
import type { AgentEvent } from '../../src/apply/events.js';
import { tempDir } from '../support/temp.js';

const SECRET = 'stg-secret-4c1d9e';
const PROD = 'prod-secret-8e2f7a';

function setup(over: Partial<HostContext> = {}) {
  const dir = makeProject({
    'states/top.yaml': "base:\n  '*': [app]\n",
    'states/app.yaml': '/x:\n  file.managed:\n    contents: {{yaml pillar.token}}\n',
    'pillar/top.yaml': "staging:\n  '*': [staging.secrets]\nproduction:\n  '*': [production.secrets]\n",
    'pillar/staging/secrets.yaml': `token: ${SECRET}\n`,
    'pillar/production/secrets.yaml': `token: ${PROD}\n`,
  });
  const agent = join(tempDir('brine-agent-'), 'brine.js');
  writeFileSync(agent, '// agent\n');
  const target = { address: '10.0.0.5', id: 'web1', roles: ['web'], user: 'dev' };
  const pillar = pillarForHost(dir, 'staging', target);
  const secrets = new Secrets();
  secrets.absorb(pillar.secrets);
  const fake = new FakeSsh();
  const ctx: HostContext = { dir, env: 'staging', test: false, json: false, parallel: 1, states: [], agent, ssh: { options: [] }, trust: new HostTrust({ dir, env: 'staging', acceptNew: false, spawn: fake.spawn }), spawn: fake.spawn, via: 'me@laptop', secrets, lockWait: 600, ...over };
  const phases: Phase[] = [];
  const lines: string[] = [];
  const agentEvents: AgentEvent[] = [];
  const events = { phase: (p: Phase) => phases.push(p), agent: (e: AgentEvent) => agentEvents.push(e), line: (l: string) => lines.push(l) };
  return { dir, ctx, target, pillar, fake, phases, lines, agentEvents, events };
}

describe('provisionHost', () => {
  it('bootstraps, uploads only its pillar, runs, streams its events (other lines masked) and collects the report', async () => {
    const s = setup();
    const done = stateEvent('/x');
    s.fake.on('10.0.0.5', 'launch', { lines: [`leaked ${SECRET}?`, JSON.stringify(done)] });
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out.status).toBe('changed');
    expect(out.exitCode).toBe(0);
    // The launcher collects after the run, on the same connection: no step of its own.
    expect(s.fake.steps('10.0.0.5')).toEqual(['bootstrap', 'upload', 'launch']);
    expect(s.phases).toEqual(['bootstrap', 'upload', 'run', 'collect', 'done']);
    expect(s.agentEvents).toEqual([done]); // the mark and the collected text are neither events nor lines
    expect(s.lines).toEqual(['leaked ********?']);
    const upload = s.fake.calls.find((c) => c.step === 'upload')!;
    expect(Object.keys(upload.files!).sort()).toEqual(['brine.js', 'pillar/staging/secrets.yaml', 'pillar/top.yaml', 'states/app.yaml', 'states/top.yaml']);
    expect(JSON.stringify(upload.files)).not.toContain(PROD);
    // No secret in any process argument, here or (via the agent argv) on the host.
    for (const c of s.fake.calls) expect(c.argv.join(' ')).not.toContain(SECRET);
    expect(upload.argv.some((a) => a.startsWith('--rsync-path'))).toBe(false); // bootstrap said sudo=no
    // A host that ran this bundle before links it from its agent directory instead of receiving it.
    expect(upload.argv).toEqual(expect.arrayContaining(['--checksum', '--link-dest=/var/lib/brine/agent']));
  });

  it("uploads the bundle with its own mtime, so the same bundle matches the host's kept copy", async () => {
    const s = setup();
    const when = new Date('2026-01-02T03:04:05.678Z');
    utimesSync(s.ctx.agent, when, when);
    await provisionHost(s.ctx, s.target, s.pillar, s.events);
    const upload = s.fake.calls.find((c) => c.step === 'upload')!;
    expect(Math.round(upload.mtimes!['brine.js'])).toBe(when.getTime());
  });

  it('collects in a step of its own when the launcher stopped before collecting', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'launch', { exitCode: 1, stderr: 'brine: the agent did not start\n', stopsEarly: true });
    s.fake.on('10.0.0.5', 'collect', (run) => ({ stdout: collected(run, 0, report({ changed: 0 })) }));
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(s.fake.steps('10.0.0.5')).toEqual(['bootstrap', 'upload', 'launch', 'collect']);
    expect(out.status).toBe('ok');
  });

  it('goes through sudo -n rsync when the login is not root', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'bootstrap', { stdout: 'brine-bootstrap: ok skipped node=v18.20.4 sudo=yes\n' });
    await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(s.fake.calls.find((c) => c.step === 'upload')!.argv).toContain('--rsync-path=sudo -n rsync');
    const ssh = s.fake.calls[0].argv;
    expect(ssh.slice(ssh.indexOf('--') - 2, ssh.indexOf('--') + 2)).toEqual(['-l', 'dev', '--', '10.0.0.5']);
    expect(ssh.at(-1)).toMatch(/^sh -c .*sudo -n -- "\$@".* brine sh -s -- [0-9a-f]{16} \/var\/lib\/brine \/var\/lib\/brine\/run \/var\/lib\/brine\/reports \/var\/lib\/brine\/agent \/var\/log\/brine$/);
  });

  it('says to log in as a developer when the host refuses root (hardened by an earlier run), exit 1', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'bootstrap', { exitCode: 255, stderr: 'root@10.0.0.5: Permission denied (publickey).\n' });
    const out = await provisionHost(s.ctx, { ...s.target, user: 'root' }, s.pillar, s.events);
    expect(out).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(out.error).toBe('10.0.0.5: login failed: root login refused by 10.0.0.5 (brine turned it off); provision as a developer: -u NAME (one with sudo: true)');
  });

  it('reports an unreachable host and stops there', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'bootstrap', { exitCode: 255, stderr: 'ssh: connect to host 10.0.0.5 port 22: No route to host\n' });
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out).toMatchObject({ status: 'unreachable', exitCode: 1 });
    // The status says unreachable and every line names the host: the error is only why.
    expect(out.error).toBe('ssh: connect to host 10.0.0.5 port 22: No route to host');
    expect(s.fake.steps('10.0.0.5')).toEqual(['bootstrap']);
  });

  it("asks trust why ssh refused the host's key: a clear failure, or (first contact accepted) the same step again", async () => {
    const refusal = { exitCode: 255, stderr: 'No ED25519 host key is known for 10.0.0.5 and you have requested strict checking.\nHost key verification failed.\n' };
    const record = { file: 'pillar/staging/known_hosts', reason: 'accepted' as const, added: [{ type: 'ED25519', fingerprint: 'SHA256:x' }], removed: [] };
    class Trust extends HostTrust {
      seen: string[] = [];
      constructor(
        dir: string,
        private readonly accept: boolean,
      ) {
        super({ dir, env: 'staging', acceptNew: accept, spawn: async () => ({ argv: [], exitCode: 0, stdout: '', stderr: '' }) });
      }
      override async onRefused(_t: unknown, _s: unknown, err: HostKeyError) {
        this.seen.push(err.sshSaid);
        if (!this.accept) throw new HostKeyError('10.0.0.5', 'host key unknown (first contact?): …');
        return record;
      }
      override async afterRun(_t: unknown, _s: unknown, run: { changed: boolean; test: boolean }) {
        this.seen.push(`after run: changed=${run.changed}`);
        return undefined;
      }
    }
    const refused = setup();
    const no = new Trust(refused.dir, false);
    refused.fake.on('10.0.0.5', 'bootstrap', refusal);
    const out = await provisionHost({ ...refused.ctx, trust: no }, refused.target, refused.pillar, refused.events);
    expect(out).toMatchObject({ status: 'failed', exitCode: 1, error: '10.0.0.5: host key unknown (first contact?): …', hostKeys: [] });
    expect(no.seen).toEqual([refusal.stderr]);
    expect(refused.fake.steps('10.0.0.5')).toEqual(['bootstrap']);

    const accepted = setup();
    let first = true;
    accepted.fake.on('10.0.0.5', 'bootstrap', () => (first ? ((first = false), refusal) : { stdout: 'brine-bootstrap: ok skipped node=v18.20.4 sudo=no\n' }));
    const yes = new Trust(accepted.dir, true);
    const ok = await provisionHost({ ...accepted.ctx, trust: yes }, accepted.target, accepted.pillar, accepted.events);
    expect(ok).toMatchObject({ status: 'changed', hostKeys: [record] });
    expect(yes.seen).toEqual([refusal.stderr, 'after run: changed=true']);
    expect(accepted.fake.steps('10.0.0.5')).toEqual(['bootstrap', 'bootstrap', 'upload', 'launch']);
  });

  it('names user and host when sudo is missing', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'bootstrap', { exitCode: 99, stderr: 'brine: dev@web1 has no passwordless sudo (sudo -n failed)\n' });
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out.status).toBe('failed');
    expect(out.error).toBe('10.0.0.5: dev@web1 has no passwordless sudo (sudo -n failed)');
  });

  it('a connection lost mid-run fails the host, says the agent goes on, and collects nothing', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'launch', { exitCode: 255, stderr: 'Connection to 10.0.0.5 closed by remote host.\n' });
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/connection lost during the run .* the next provision shows its result/);
    expect(s.fake.steps('10.0.0.5')).toEqual(['bootstrap', 'upload', 'launch']);
  });

  it('--test: exit 2 is pending; earlier uncollected runs are returned, masked', async () => {
    const s = setup({ test: true });
    const earlier = report({ changed: 3 });
    earlier.states = [{ id: SECRET, function: 'file.managed', name: '/x', sls: 'app', file: 'f', line: 1, result: 'changed', changes: [], comment: '', durationMs: 1 }];
    s.fake.on('10.0.0.5', 'collect', (run) => ({ stdout: collected('20250101T000000-abcdef', 0, earlier) + collected(run, 2, report({ changed: 0, pending: 1 }, true)) }));
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out).toMatchObject({ status: 'pending', exitCode: 2 });
    expect(out.earlier.map((e) => e.run)).toEqual(['20250101T000000-abcdef']);
    expect(out.earlier[0].report!.states[0].id).toBe('********');
  });

  it('a failed upload removes what it may have left', async () => {
    const s = setup();
    s.fake.on('10.0.0.5', 'upload', { exitCode: 23, stderr: 'rsync error: some files could not be transferred\n' });
    const out = await provisionHost(s.ctx, s.target, s.pillar, s.events);
    expect(out.error).toMatch(/upload failed: rsync error/);
    expect(s.fake.steps('10.0.0.5')).toEqual(['bootstrap', 'upload', 'other']);
    expect(s.fake.calls.at(-1)!.argv.at(-1)).toMatch(/rm -rf -- \/var\/lib\/brine\/run\/\d{8}T/);
  });
});

describe('agentArgv', () => {
  it('tells the agent its env, id, roles, report file, run log and events file, and passes states after --', () => {
    const argv = agentArgv({ env: 'staging', test: true, states: ['nginx'], lockWait: 5 }, { address: 'a', id: 'web1', roles: ['web', 'db'] }, 'R');
    expect(argv).toEqual([
      'node', '/var/lib/brine/run/R/brine.js', 'apply', '--env', 'staging', '--dir', '/var/lib/brine/run/R', '--id', 'web1', '--roles', 'web,db',
      '--var-dir', '/var/lib/brine', '--report-file', '/var/lib/brine/reports/R.json', '--run-log', '/var/log/brine/runs.jsonl',
      '--events', '/var/lib/brine/reports/R.events', '--lock-wait', '5', '--test', '--', 'nginx',
    ]);
  });
});
