// pkg.installed / latest / removed planned against a seeded dpkg status and scripted apt-cache.
import { readScripts } from '../../src/resources/pkg/predict.js';
import { describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../src/resources/pkg/dpkg.js';
import { compileStates, results, run } from '../support/project.js';
import { commandLines, dpkgStatus, SystemHost } from './system-host.js';

const INSTALL = ['apt-get', 'install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '-o', 'DPkg::Lock::Timeout=120'];

function host(packages: [string, string, string?][] = [['bash', '5.2.15-2+b8'], ['curl', '7.88.1-10+deb12u5']]) {
  return new SystemHost()
    .file('/var/lib/dpkg/status', dpkgStatus(packages))
    .aptLists()
    .aptPolicy({ 'nginx-light': ['1.22.1-9+deb12u11'], ufw: ['0.36.2-1'], curl: ['7.88.1-10+deb12u8', '7.88.1-10+deb12u5'], bash: ['5.2.15-2+b8'] });
}

/** After apt-get install, dpkg knows the packages (as the real one would: one entry per name). */
function installs(h: SystemHost, versions: Record<string, string>) {
  return h.on(['apt-get', 'install'], (argv) => {
    const named = argv.slice(INSTALL.length).filter((a) => !a.startsWith('-')).map((a) => a.split('='));
    const status = parseDpkgStatus((h.fs.get('/var/lib/dpkg/status') as { data: Buffer }).data.toString());
    const kept = [...status.values()].filter((e, i, all) => all.indexOf(e) === i && !named.some(([n]) => n === e.name));
    const entries: [string, string][] = [...kept.map((e): [string, string] => [e.name, e.version]), ...named.map(([n, v]): [string, string] => [n, v ?? versions[n]])];
    h.file('/var/lib/dpkg/status', dpkgStatus(entries));
    return { exitCode: 0 };
  });
}

describe('pkg.installed', () => {
  it('plans nothing, and runs nothing, when every package is installed', async () => {
    const h = host();
    const r = await run(compileStates('tools:\n  pkg.installed:\n    - pkgs: [bash, curl]\n'), h, true);
    expect(results(r)).toEqual({ tools: 'ok' });
    expect(r.states[0].comment).toBe('installed: bash 5.2.15-2+b8, curl 7.88.1-10+deb12u5');
    expect(h.commands()).toEqual([]);
    expect(h.writes()).toEqual([]);
  });

  it('names the candidate versions in --test, asking apt-cache once for every state of the run', async () => {
    const h = host();
    const c = compileStates('web:\n  pkg.installed:\n    - name: nginx-light\nfw:\n  pkg.installed:\n    - pkgs: [ufw, curl]\nnewest:\n  pkg.latest:\n    - name: curl\n');
    const r = await run(c, h, true);
    expect(results(r)).toEqual({ web: 'pending', fw: 'pending', newest: 'pending' });
    expect(r.states[0].changes.map((ch) => ch.summary)).toEqual(['install nginx-light 1.22.1-9+deb12u11']);
    expect(r.states[1].changes.map((ch) => ch.summary)).toEqual(['install ufw 0.36.2-1']);
    expect(r.states[2].changes.map((ch) => ch.summary)).toEqual(['install curl 7.88.1-10+deb12u5 → 7.88.1-10+deb12u8']);
    const simulate = 'apt-get -s install -y --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=120';
    // The run's one apt transaction is simulated (reads only), as apply will run it, to predict
    // what it brings for every state after it.
    expect(commandLines(h)).toEqual(['apt-cache policy nginx-light ufw curl', `${simulate} nginx-light ufw curl`]);
    expect(h.writes()).toEqual([]);
  });

  it('installs a state’s packages with one apt-get, non-interactively, then reads them back', async () => {
    const h = installs(host(), { 'nginx-light': '1.22.1-9+deb12u11', ufw: '0.36.2-1' });
    const c = compileStates('web:\n  pkg.installed:\n    - pkgs: [nginx-light, ufw, bash]\n');
    const r = await run(c, h, false);
    expect(results(r)).toEqual({ web: 'changed' });
    const exec = h.calls.filter((x) => x.op === 'exec');
    expect(exec.map((x) => x.args[0])).toEqual([[...INSTALL, 'nginx-light', 'ufw']]);
    expect(exec[0].args[1]).toMatchObject({ env: { DEBIAN_FRONTEND: 'noninteractive' } });
    expect(r.states[0].changes[0].detail).toEqual({ packages: { 'nginx-light': { old: null, new: '1.22.1-9+deb12u11' }, ufw: { old: null, new: '0.36.2-1' } } });

    const before = h.commands().length;
    expect(results(await run(c, h, false))).toEqual({ web: 'ok' });
    expect(h.commands().length).toBe(before);
  });

  it('installs recommends only when asked', async () => {
    const h = host();
    const r = await run(compileStates('web:\n  pkg.installed:\n    - name: nginx-light\n    - install_recommends: true\n'), h, true);
    expect(r.states[0].result).toBe('pending');
    const h2 = installs(host(), { 'nginx-light': '1' });
    await run(compileStates('web:\n  pkg.installed:\n    - name: nginx-light\n    - install_recommends: true\n'), h2, false);
    expect(h2.commands().find((c) => c[1] === 'install')).toContain('--install-recommends');
  });

  it('pins a version with name=version and allows the downgrade', async () => {
    const h = installs(host(), {});
    const r = await run(compileStates('c:\n  pkg.installed:\n    - pkgs:\n      - curl: 7.88.1-10+deb12u8\n'), h, false);
    expect(r.states[0].changes[0].summary).toBe('install curl 7.88.1-10+deb12u5 → 7.88.1-10+deb12u8');
    expect(h.commands().find((c) => c[1] === 'install')).toEqual([...INSTALL, '--allow-downgrades', 'curl=7.88.1-10+deb12u8']);
  });

  it('fails naming packages and versions apt does not have', async () => {
    const h = host();
    const r = await run(compileStates('x:\n  pkg.installed:\n    - pkgs: [nginx-light, no-such-tool, mail-transport-agent]\ny:\n  pkg.installed:\n    - name: curl\n    - version: 9.9\n'), h, true);
    expect(results(r)).toEqual({ x: 'failed', y: 'failed' });
    expect(r.states[0].comment).toBe('not available from apt: no-such-tool; mail-transport-agent');
    expect(r.states[1].comment).toBe('not available from apt: curl 9.9 (available: 7.88.1-10+deb12u8, 7.88.1-10+deb12u5)');
  });

  it('refreshes missing or old lists first, and does not judge availability from them', async () => {
    const missing = host();
    missing.fs.delete('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages');
    const r = await run(compileStates('x:\n  pkg.installed:\n    - name: no-such-tool\n'), missing, true);
    expect(r.states[0].changes.map((c) => c.summary)).toEqual(['refresh package lists (package lists are missing)', 'install no-such-tool (known after the refresh)']);

    const old = host().aptLists(3 * 86_400);
    const r2 = await run(compileStates('x:\n  pkg.installed:\n    - name: ufw\n'), old, true);
    expect(r2.states[0].changes[0].summary).toBe('refresh package lists (package lists are 3 days old)');

    const valid = host().aptLists(3 * 86_400);
    const r3 = await run(compileStates('x:\n  pkg.installed:\n    - name: ufw\n    - cache_valid_time: 604800\n'), valid, true);
    expect(r3.states[0].changes.map((c) => c.summary)).toEqual(['install ufw 0.36.2-1']);

    const never = host().aptLists(30 * 86_400);
    const r4 = await run(compileStates('x:\n  pkg.installed:\n    - name: ufw\n    - refresh: false\n'), never, true);
    expect(r4.states[0].changes.map((c) => c.summary)).toEqual(['install ufw 0.36.2-1']);
  });

  it('counts its own stamp as a refresh: apt leaves unchanged lists alone', async () => {
    const h = host().aptLists(3 * 86_400);
    h.file('/var/lib/brine/apt-lists-updated', 'x');
    h.mtimes.set('/var/lib/brine/apt-lists-updated', Date.now() - 1000);
    const r = await run(compileStates('x:\n  pkg.installed:\n    - name: ufw\n'), h, true);
    expect(r.states[0].changes.map((c) => c.summary)).toEqual(['install ufw 0.36.2-1']);
  });

  it('runs apt-get update and stamps it when applying a refresh', async () => {
    const h = installs(host(), { ufw: '0.36.2-1' }).on(['apt-get', 'update'], { exitCode: 0 });
    h.fs.delete('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages');
    const r = await run(compileStates('x:\n  pkg.installed:\n    - name: ufw\n'), h, false);
    expect(results(r)).toEqual({ x: 'changed' });
    expect(commandLines(h).filter((c) => c.startsWith('apt-get')).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['apt-get update', 'apt-get install']);
    expect(h.fs.has('/var/lib/brine/apt-lists-updated')).toBe(true);
  });

  it('rejects names that apt-get would read as options', () => {
    expect(() => compileStates('x:\n  pkg.installed:\n    - pkgs: ["-oAPT::x=1"]\n')).toThrow(/not a Debian package name/);
    expect(() => compileStates('x:\n  pkg.removed:\n    - name: curl\n    - version: "1"\n')).toThrow(/unknown argument/);
  });
});

describe('pkg.removed', () => {
  it('removes what is installed and leaves packages with only config files alone', async () => {
    const h = host([['curl', '7.88.1-10+deb12u5'], ['ufw', '0.36.2-1', 'deinstall ok config-files']]);
    const r = await run(compileStates('x:\n  pkg.removed:\n    - pkgs: [curl, ufw, nginx-light]\n'), h, true);
    expect(r.states[0].changes.map((c) => c.summary)).toEqual(['remove curl 7.88.1-10+deb12u5']);
    expect(h.commands()).toEqual([]);
    h.on(['apt-get', 'remove'], () => {
      h.file('/var/lib/dpkg/status', dpkgStatus([['ufw', '0.36.2-1', 'deinstall ok config-files']]));
      return { exitCode: 0 };
    });
    expect(results(await run(compileStates('x:\n  pkg.removed:\n    - pkgs: [curl, ufw]\n'), h, false))).toEqual({ x: 'changed' });
    expect(h.commands().at(-1)).toEqual(['apt-get', 'remove', '-y', '-o', 'DPkg::Lock::Timeout=120', 'curl']);
  });
});

describe('pkg.latest', () => {
  it('is a no-op with one apt-cache call when the candidate is installed', async () => {
    const h = host();
    const r = await run(compileStates('x:\n  pkg.latest:\n    - name: bash\n'), h, true);
    expect(results(r)).toEqual({ x: 'ok' });
    expect(commandLines(h)).toEqual(['apt-cache policy bash']);
  });

  it('refreshes old lists and installs what is newest afterwards in one change', async () => {
    const h = host().aptLists(3 * 86_400);
    const r = await run(compileStates('x:\n  pkg.latest:\n    - name: bash\n'), h, true);
    expect(r.states[0].changes.map((c) => c.summary)).toEqual(['refresh package lists (package lists are 3 days old), then install the latest']);
    // After the refresh apt knows a newer bash.
    h.on(['apt-get', 'update'], () => {
      h.aptLists().aptPolicy({ bash: ['5.2.15-2+b13', '5.2.15-2+b8'] });
      return { exitCode: 0 };
    });
    installs(h, { bash: '5.2.15-2+b13' });
    const applied = await run(compileStates('x:\n  pkg.latest:\n    - name: bash\n'), h, false);
    expect(results(applied)).toEqual({ x: 'changed' });
    expect(applied.states[0].changes[0].detail).toEqual({ refresh: 'package lists are 3 days old', packages: { bash: { old: '5.2.15-2+b8', new: '5.2.15-2+b13' } } });
    expect(h.commands().at(-2)).toEqual([...INSTALL, 'bash']);
  });
});

describe('one apt transaction per run', () => {
  const STATES = [
    'web:\n  pkg.installed:\n    - name: nginx-light',
    'fw:\n  pkg.installed:\n    - pkgs: [ufw, bash]\n    - require:\n      - pkg: web',
    'repo-key:\n  cmd.run:\n    - name: ["true"]',
    // Waits for a state of another kind: applied in the ordered pass, after it.
    'tool:\n  pkg.installed:\n    - name: curl\n    - version: 7.88.1-10+deb12u8\n    - require:\n      - cmd: repo-key',
  ].join('\n');

  it('installs every package whose requisites allow it with one apt-get; each state reports its own part', async () => {
    const h = installs(host(), { 'nginx-light': '1.22.1-9+deb12u11', ufw: '0.36.2-1' });
    h.on(['true'], { exitCode: 0 });
    const r = await run(compileStates(STATES), h, false);
    expect(results(r)).toEqual({ web: 'changed', fw: 'changed', 'repo-key': 'changed', tool: 'changed' });
    const installsRun = h.commands().filter((c) => c[1] === 'install');
    expect(installsRun).toEqual([
      [...INSTALL, 'nginx-light', 'ufw'],
      [...INSTALL, '--allow-downgrades', 'curl=7.88.1-10+deb12u8'],
    ]);
    expect(r.states[0].changes.map((c) => c.summary)).toEqual(['install nginx-light 1.22.1-9+deb12u11']);
    expect(r.states[1].changes.map((c) => c.summary)).toEqual(['install ufw 0.36.2-1']);
    expect(r.states[0].comment).toBe('in one apt transaction with 1 other state (fw)');
    expect(r.states[3].comment).not.toContain('transaction');
    expect(results(await run(compileStates(STATES), h, false))).toEqual({ web: 'ok', fw: 'ok', 'repo-key': 'changed', tool: 'ok' });
  });

  it('shows the same grouping in --test, changing nothing', async () => {
    const h = host();
    const r = await run(compileStates(STATES), h, true);
    expect(r.states.map((s) => s.comment)).toEqual([
      'in one apt transaction with 1 other state (fw)',
      'depends on web (pending); in one apt transaction with 1 other state (web)',
      expect.any(String),
      expect.not.stringContaining('transaction'),
    ]);
    expect(h.writes()).toEqual([]);
  });

  it('leaves to the ordered pass a state with unless/onlyif/creates, and what follows a state given an order', async () => {
    const h = installs(host(), { 'nginx-light': '1.22.1-9+deb12u11', ufw: '0.36.2-1' });
    h.on(['/bin/sh', '-c', 'test -e /srv/skip-web'], { exitCode: 0 });
    const checked = 'web:\n  pkg.installed:\n    - name: nginx-light\n    - unless: test -e /srv/skip-web\nfw:\n  pkg.installed:\n    - name: ufw\ncurl:\n  pkg.installed:\n    - version: 7.88.1-10+deb12u8\n';
    const r = await run(compileStates(checked), h, false);
    // The check ran and skipped web: the batch held only the others.
    expect(results(r)).toEqual({ web: 'ok', fw: 'changed', curl: 'changed' });
    expect(r.states[0].comment).toContain('unless');
    expect(h.commands().filter((c) => c[1] === 'install')).toEqual([[...INSTALL, '--allow-downgrades', 'ufw', 'curl=7.88.1-10+deb12u8']]);

    const h2 = installs(host(), { 'nginx-light': '1.22.1-9+deb12u11', ufw: '0.36.2-1' });
    h2.on(['true'], { exitCode: 0 });
    const pinned = 'web:\n  pkg.installed:\n    - name: nginx-light\nfirst:\n  cmd.run:\n    - name: ["true"]\n    - order: 1\nfw:\n  pkg.installed:\n    - name: ufw\n';
    const r2 = await run(compileStates(pinned), h2, false);
    expect(results(r2)).toEqual({ first: 'changed', web: 'changed', fw: 'changed' });
    // `first` ran first, then each package in its turn: none was taken ahead of it.
    expect(h2.commands().filter((c) => c[0] === 'true' || c[1] === 'install').map((c) => c.at(-1))).toEqual(['true', 'nginx-light', 'ufw']);
  });

  it('when the transaction fails, installs each state on its own: only the state of the failing package fails', async () => {
    const h = installs(host(), { 'nginx-light': '1.22.1-9+deb12u11', ufw: '0.36.2-1' });
    // apt refuses any transaction that holds ufw (a broken package), installs the rest.
    h.on((argv) => (argv[1] === 'install' && argv.includes('ufw') ? { exitCode: 100, stderr: 'E: ufw: broken' } : undefined));
    const r = await run(compileStates('web:\n  pkg.installed:\n    - name: nginx-light\nfw:\n  pkg.installed:\n    - name: ufw\n'), h, false);
    expect(results(r)).toEqual({ web: 'changed', fw: 'failed' });
    expect(h.commands().filter((c) => c[1] === 'install')).toEqual([
      [...INSTALL, 'nginx-light', 'ufw'],
      [...INSTALL, 'nginx-light'],
      [...INSTALL, 'ufw'],
    ]);
    expect(r.states[1].comment).toContain('E: ufw: broken');
  });
});

describe('what a pending install brings, in --test', () => {
  const sudo = () =>
    new SystemHost()
      .file('/var/lib/dpkg/status', dpkgStatus([['bash', '5.2.15-2+b8']]))
      .aptLists()
      .aptPolicy({ sudo: ['1.9.13p3-1+deb12u1'] })
      .debs({ sudo: ['1.9.13p3-1+deb12u1', ['/etc/', '/etc/sudoers', '/etc/sudoers.d/', '/etc/sudoers.d/README', '/usr/', '/usr/sbin/', '/usr/sbin/visudo']] })
      .dir('/usr/sbin');
  const tree = 'sudo:\n  pkg.installed: []\n/etc/sudoers.d/ana:\n  file.managed:\n    - contents: "ana ALL=(ALL:ALL) NOPASSWD: ALL"\n    - check_cmd: visudo -cf\n    - require:\n      - pkg: sudo\n';

  it('plans in the directory the package ships, knowing what it puts there', async () => {
    const r = await run(compileStates(tree), sudo(), true);
    expect(results(r)).toEqual({ sudo: 'pending', '/etc/sudoers.d/ana': 'pending' });
    expect(r.states[1].comment).toBe('depends on sudo (pending); cannot validate yet: visudo comes with sudo (pending)');
    expect(r.states[1].changes.map((c) => c.summary)).toEqual(['create file (32 bytes, mode 0644)']);
  });

  it('leaves unknown what its maintainer scripts name, and what they may make beneath its directories', async () => {
    const h = sudo().debs({
      sudo: ['1.9.13p3-1+deb12u1', ['/etc/', '/etc/sudoers.d/', '/etc/sudoers.d/README', '/etc/app/', '/usr/', '/usr/sbin/', '/usr/sbin/visudo'], 'ln -s x /etc/sudoers.d/ana\nmkdir -p /etc/app/conf.d\n'],
    });
    const t = 'sudo:\n  pkg.installed: []\n/etc/sudoers.d/ana:\n  file.absent:\n    - require:\n      - pkg: sudo\n/etc/app/conf.d/x:\n  file.absent:\n    - require:\n      - pkg: sudo\n/etc/sudoers.d/README:\n  file.managed:\n    - contents: "# README"\n    - require:\n      - pkg: sudo\n';
    const r = await run(compileStates(t), h, true);
    expect(r.states.map((s) => s.comment)).toEqual([
      expect.any(String),
      'depends on sudo (pending); /etc/sudoers.d/ana: unknown until sudo is installed',
      'depends on sudo (pending); /etc/app/conf.d: unknown until sudo is installed',
      'depends on sudo (pending)',
    ]);
    // A file it ships is read out of its .deb: the diff is against what it will be.
    expect(r.states[3].changes[0].diff).toMatch(/^-\/etc\/sudoers.d\/README\n.*\n\+# README$/m);
    expect(h.writes()).toEqual([]);
  });

  it('says which pending package brings a validator that is not installed yet', async () => {
    const h = sudo().dir('/etc/sudoers.d');
    const r = await run(compileStates(tree), h, true);
    expect(r.states[1].result).toBe('pending');
    expect(r.states[1].comment).toBe('depends on sudo (pending); cannot validate yet: visudo comes with sudo (pending)');
    expect(h.writes()).toEqual([]);
  });
});

describe('what maintainer scripts say, as brine reads them', () => {
  it('takes statoverrides and new empty system accounts as known, and the rest as what acts', () => {
    const sc = readScripts(
      [
        '#!/bin/sh',
        'set -e',
        '# the config belongs to redis',
        'USER="redis"',
        'GROUP="$USER"',
        'CONFFILE="/etc/redis/redis.conf"',
        'if ! dpkg-statoverride --list ${CONFFILE} >/dev/null 2>&1; then',
        '  dpkg-statoverride --update --add ${USER} ${GROUP} 640 ${CONFFILE}',
        'fi',
        'adduser \\',
        '  --system --home /var/lib/redis --quiet --group redis',
        'adduser www-data web',
        'addgroup --system web',
        'ln -s /etc/app/a /etc/app/b',
      ].join('\n'),
    );
    expect(sc.overrides).toEqual([{ user: 'redis', group: 'redis', mode: 0o640, path: '/etc/redis/redis.conf' }]);
    // web is named by another account command too: not taken as new and empty.
    expect(sc.system).toEqual([{ name: 'redis', group: true, user: true, home: '/var/lib/redis', shell: undefined }]);
    expect(sc.accounts.sort()).toEqual(['redis', 'web', 'web', 'www-data']);
    expect(sc.text).not.toContain('redis.conf');
    expect(sc.text).toContain('ln -s /etc/app/a /etc/app/b');
  });
});
