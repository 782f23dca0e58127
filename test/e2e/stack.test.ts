// The shipped stack (states/ + pillar/) on a real Debian host, checked from outside: who can
// log in, what the firewall lets through, the app behind nginx with its secret, idempotence,
// developer changes, and validators keeping broken settings away from running services.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diffFingerprints, formatDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { StackProject, curl, logsIn, makeDev, type Dev } from './stack-support.js';
import { tempDir } from '../support/temp.js';

const SECRET = `sk-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
const DB_PASSWORD = `pw-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16)}`;
const ENV_YAML = 'environment: staging\ndomain: staging.brine.test\nhosts: []\nfirewall:\n  allow: []\n';

describeHosts('the shipped stack', () => {
  // A fresh server: the stack installs sudo, ufw, nginx and gunicorn itself (offline, from the
  // flavour's pre-downloaded packages); only what runs brine (node, rsync) is put there first.
  const env = useHosts(1, { flavour: 'bare' });
  let p: StackProject;
  let ann: Dev; // admin
  let bo: Dev; // developer without sudo
  let cy: Dev; // joins later
  const url = (path: string, scheme = 'https') => `${scheme}://${env.hosts[0].address}${path}`;

  beforeAll(async () => {
    const keys = tempDir('brine-stack-keys-');
    [ann, bo, cy] = await Promise.all(['ann', 'bo', 'cy'].map((n) => makeDev(keys, n)));
    p = new StackProject(env.hosts[0]);
    p.devs([{ dev: ann, sudo: true }, { dev: bo, sudo: false }]);
    p.write('pillar/staging/env.yaml', ENV_YAML);
    p.write('pillar/staging/secrets.yaml', `SECRET_KEY: ${SECRET}\nDATABASE_URL: postgres://hello:${DB_PASSWORD}@db/hello\n`);
  });
  afterAll(() => p?.cleanup());

  // A fresh host's dry run asks apt what each package brings, and the first converge installs the
  // hardened stack, Django and a virtualenv: on a loaded machine this takes minutes.
  it('converges a fresh host: developers log in by key only, root is shut out, only 22/80/443 are open, the app answers through nginx with its secret', { timeout: 600_000 }, async () => {
    const h = env.hosts[0];
    await h.sshOk(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', 'nodejs', 'rsync']);
    const before = await h.fingerprint();
    // Nothing installed yet: what the packages ship is read from their .debs (the sudoers drop-in
    // is predicted, its validator comes with sudo); what their maintainer scripts make (nginx's
    // default site link) is pending with the package's name, not failed and not guessed.
    const dry = await p.brine('--test');
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(2);
    expect(dry.stdout).toMatch(/Failed: 0/);
    expect(dry.stdout).toMatch(/depends on sudo \(pending\); cannot validate yet: visudo comes with sudo \(pending\)\n.*\n\s+Changes:\n\s+- create file \(\d+ bytes, mode 0440\)/);
    expect(dry.stdout).toMatch(/\/etc\/nginx\/sites-enabled\/default: unknown until nginx-common is installed/);
    const d = diffFingerprints(before, await h.fingerprint());
    const touched = [d.added, d.removed, d.changed].flatMap((m) => Object.keys(m)).filter((k) => !k.startsWith('/root/project'));
    expect(touched, formatDiff(d)).toEqual([]); // only the upload itself

    const first = await p.brine();
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    p.admin = ann;
    const noop = await p.brine();
    expect(noop.exitCode, noop.stdout).toBe(0);
    expect(noop.stdout).toMatch(/Succeeded: \d+ \(changed=0\)\s+Failed: 0/);
    console.log(`stack: first converge ${first.ms} ms (${/Total time: \S+ s/.exec(first.stdout)?.[0]}), no-op apply ${noop.ms} ms (${/Total time: \S+ s/.exec(noop.stdout)?.[0]}), incl. ssh + rsync`);

    // SSH: keys, sudo, root, passwords.
    expect((await p.as(ann, ['sudo', '-n', 'true'])).exitCode).toBe(0);
    expect(await logsIn(p, bo)).toBe(true);
    expect((await p.as(bo, ['sudo', '-n', 'true'])).exitCode).not.toBe(0);
    const rootLogin = await h.ssh(['true']);
    expect(rootLogin.exitCode).toBe(255);
    expect(rootLogin.stderr).toContain('Permission denied (publickey)');
    const noKey = await execa('ssh', ['-F', h.sshConfigFile, '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive', '-l', 'ann', h.name, 'true'], { reject: false });
    expect(noKey.exitCode).toBe(255);
    expect(noKey.stderr).toContain('Permission denied (publickey)'); // no password method is even offered
    const effective = (await p.root(['/usr/sbin/sshd', '-T', '-C', 'user=bo,host=x,addr=192.0.2.1'])).stdout;
    for (const line of ['permitrootlogin no', 'passwordauthentication no', 'allowgroups sshusers', 'maxauthtries 3', 'x11forwarding no', 'allowagentforwarding no']) {
      expect(effective).toContain(line + '\n');
    }
    expect((await p.root(['/usr/sbin/sshd', '-T', '-C', 'user=ann,host=x,addr=192.0.2.1'])).stdout).toContain('allowagentforwarding yes\n');

    // Firewall: something listening on 8081 is reachable inside, not from outside.
    await p.root(['systemd-run', '--unit=probe-8081', 'python3', '-m', 'http.server', '8081']);
    await p.root(['sh', '-c', 'for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8081/ && exit 0; sleep 0.1; done; exit 1']);
    expect((await curl(`http://${h.address}:8081/`, ['-m', '2'])).code).toBe(28); // dropped: timeout
    expect((await curl(url('/', 'http'), ['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}'])).body).toBe(`301 https://${h.address}/`);

    // The app, through nginx, over HTTPS; it sees its secret and proves it without showing it.
    expect(JSON.parse((await curl(url('/'))).body)).toMatchObject({ hello: 'world', environment: 'staging', scheme: 'https' });
    expect(JSON.parse((await curl(url('/secret-hash'))).body)).toEqual({ sha256: createHash('sha256').update(SECRET).digest('hex') });
    expect((await curl(url('/static/hello.txt'))).body).toContain('static files are served by nginx');
    expect((await p.root(['stat', '-c', '%a %U:%G', '/etc/hello/env', '/etc/hello'])).stdout).toBe('600 root:root\n700 root:root\n');
    const unit = (await p.root(['systemctl', 'show', '-p', 'User,NoNewPrivileges,ProtectSystem,ActiveState', 'hello'])).stdout;
    for (const line of ['User=hello', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ActiveState=active']) expect(unit).toContain(line + '\n');

    // The secret is nowhere to be seen: not in brine's output, the journal, or any file
    // an unprivileged user can read (patterns go on stdin: sudo logs command lines).
    for (const out of p.outputs) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(DB_PASSWORD);
    }
    expect((await p.root(['journalctl', '--no-pager', '-o', 'verbose'])).stdout).not.toContain(SECRET);
    const readable = await p.root(
      ['runuser', '-u', 'nobody', '--', 'grep', '-rlsF', '-f', '/dev/stdin', '/etc', '/srv', '/var', '/home', '/tmp', '/run', '/opt', '/usr/local'],
      { input: `${SECRET}\n${DB_PASSWORD}\n` },
    );
    expect(readable.stdout).toBe('');
    // Nor in brine's caches (compiled code and templates, parsed state files: the app's, which
    // renders the secret into its env file, is kept with a placeholder in its place).
    const cached = await p.root(['grep', '-rlsF', '-f', '/dev/stdin', '/var/cache/brine'], { input: `${SECRET}\n${DB_PASSWORD}\n` });
    expect(cached.stdout).toBe('');
    expect((await p.root(['grep', '-c', '\uE000', '/var/cache/brine/code-cache-parsed'])).stdout).toMatch(/^[1-9]/);
  }); // the first converge installs the whole hardened stack (fail2ban, auditd, unattended-upgrades…), Django and a virtualenv: 600 s above

  it('adds, drops and locks out developers: --test shows only what changes, keys work or stop working', async () => {
    p.devs([{ dev: ann, sudo: true }, { dev: bo, sudo: false }, { dev: cy, sudo: true }]);
    const dry = await p.pending();
    expect(dry.code).toBe(2);
    expect(dry.states.sort()).toEqual([
      'file.managed /etc/sudoers.d/cy: pending',
      'group.present sshadmins: pending',
      'group.present sshusers: pending',
      'ssh_auth.manage cy: pending',
      'user.present cy: pending',
    ]);
    expect(await logsIn(p, cy)).toBe(false);
    expect((await p.brine()).exitCode).toBe(0);
    expect((await p.as(cy, ['sudo', '-n', 'true'])).exitCode).toBe(0);

    // cy simply deleted from devs.yaml: the account stays, but out of the groups and sudoers.
    p.devs([{ dev: ann, sudo: true }, { dev: bo, sudo: false }]);
    expect((await p.pending()).states.sort()).toEqual(['cmd.run stale-sudoers: pending', 'group.present sshadmins: pending', 'group.present sshusers: pending']);
    expect((await p.brine()).exitCode).toBe(0);
    expect(await logsIn(p, cy)).toBe(false);
    expect((await p.root(['id', '-nG', 'cy'])).stdout.trim()).toBe('cy');
    expect((await p.root(['ls', '/etc/sudoers.d'])).stdout.split('\n')).not.toContain('cy');

    // bo moved to devs_absent: keys gone, account locked and expired.
    p.devs([{ dev: ann, sudo: true }], ['bo']);
    const r = await p.brine();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(await logsIn(p, bo)).toBe(false);
    expect((await p.root(['cat', '/home/bo/.ssh/authorized_keys'])).stdout).toBe('');
    expect((await p.root(['sh', '-c', 'getent shadow bo | cut -d: -f2,8'])).stdout.trim()).toMatch(/^!.*:1$/);

    // Nobody left with a key and sudo: refused before anything runs, in --test too.
    p.devs([{ dev: ann, sudo: false }], ['bo']);
    for (const args of [['--test'], []]) {
      const refused = await p.brine(...args);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain('lockout guard: no developer in pillar/devs.yaml has both `sudo: true` and a public key');
    }
    p.devs([{ dev: ann, sudo: true }], ['bo']);
    expect(await logsIn(p, ann)).toBe(true);
  });

  it('keeps a broken nginx or sshd setting away from the running services, in --test and apply', async () => {
    const files = ['/etc/nginx/sites-enabled/hello', '/etc/ssh/sshd_config.d/10-brine.conf'];
    const sums = async () => (await p.root(['sha256sum', ...files])).stdout;
    const good = await sums();
    p.write('pillar/staging/env.yaml', `${ENV_YAML}nginx:\n  settings: {client_max_body_size: 10q}\nsshd:\n  settings: {MaxAuthTries: lots}\n`);
    for (const args of [['--test'], []]) {
      const r = await p.brine(...args);
      expect(r.exitCode, r.stdout).toBe(1);
      expect(r.stdout).toMatch(/check_in_place rejected the new content \(exit 1\): \/usr\/sbin\/nginx -t -q\n.*"client_max_body_size" directive invalid value/);
      expect(r.stdout).toMatch(/check_in_place rejected the new content \(exit 255\): \/usr\/local\/lib\/brine\/sshd-check\n.*10-brine.conf line 4: MaxAuthTries integer value invalid/);
    }
    expect(await sums()).toBe(good);
    expect(JSON.parse((await curl(url('/healthz'))).body)).toEqual({ ok: true });
    expect(await logsIn(p, ann)).toBe(true);

    p.write('pillar/staging/env.yaml', ENV_YAML);
    const back = await p.brine();
    expect(back.stdout).toMatch(/Succeeded: \d+ \(changed=0\)\s+Failed: 0/);
  });
});
