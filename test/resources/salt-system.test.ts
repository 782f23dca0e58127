// pkgrepo, pkg.purged, timezone, debconf, locale, ssh_known_hosts and file.recurse: what each
// plans on a fake host, and that a second plan after apply finds nothing left.
import { writeFileSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRepoLine, toDeb822 } from '../../src/resources/pkgrepo/deb822.js';
import { editKnownHosts, fingerprint, hashedField, namesHost } from '../../src/resources/ssh-known-hosts/known-hosts.js';
import { FakeHost } from '../support/fake-host.js';
import { compileProject, compileStates, makeProject, problemsOf, run } from '../support/project.js';
import { dpkgStatus } from './system-host.js';

const ROOT = 'root:x:0:0:root:/root:/bin/bash\n';
const summaries = (r: { states: { changes: { summary: string }[] }[] }) => r.states.map((s) => s.changes.map((c) => c.summary));

describe('pkgrepo.managed', () => {
  it('writes a deb822 .sources file and its key file, then refreshes once', async () => {
    const dir = makeProject({
      'states/main.yaml': `nginx-repo:\n  pkgrepo.managed:\n    - name: deb [arch=amd64] https://nginx.org/packages/debian bookworm nginx\n    - humanname: nginx.org\n    - file: /etc/apt/sources.list.d/nginx.sources\n    - key_url: salt://nginx.asc\n`,
      'states/nginx.asc': '-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n',
    });
    const c = compileProject(dir, {}, ['main']);
    const h = new FakeHost().dir('/etc/apt/sources.list.d').dir('/etc/apt/keyrings').on(['apt-get', 'update'], { exitCode: 0 });
    expect(summaries(await run(c, h, true))).toEqual([['create signing key /etc/apt/keyrings/nginx.asc', 'create repository /etc/apt/sources.list.d/nginx.sources', 'refresh package lists (repository changed)']]);
    await run(c, h, false);
    expect(h.fs.get('/etc/apt/sources.list.d/nginx.sources')).toMatchObject({
      mode: 0o644,
      data: Buffer.from('# nginx.org\nTypes: deb\nURIs: https://nginx.org/packages/debian\nSuites: bookworm\nComponents: nginx\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/nginx.asc\n'),
    });
    expect(h.commands()).toEqual([['apt-get', 'update']]);
    expect(summaries(await run(c, h, true))).toEqual([[]]);
  });

  it('refuses a .list file name and options it cannot carry over', () => {
    const msgs = problemsOf(() => compileStates(`r:\n  pkgrepo.managed:\n    - name: deb [lang=de] http://x.test/debian bookworm main\n    - file: /etc/apt/sources.list.d/x.list\n`)).map((p) => `${p.field} ${p.message}`);
    expect(msgs).toEqual([expect.stringMatching(/^name option "lang=de" is not supported/), expect.stringMatching(/^file brine writes the repository in deb822 form/)]);
    expect(problemsOf(() => compileStates(`r:\n  pkgrepo.managed:\n    - name: deb http://x.test/debian bookworm main\n    - file: /etc/apt/sources.list.d/x.list\n`))[0].message).toMatch(/name a .sources file \(e.g. \/etc\/apt\/sources.list.d\/x.sources\)/);
    expect(parseRepoLine('deb http://x.test/flat ./')).toEqual({ type: 'deb', uri: 'http://x.test/flat', suite: './', components: [] });
    expect(toDeb822({ type: 'deb', uri: 'file:/srv/repo', suite: './', components: [], trusted: true })).toBe('Types: deb\nURIs: file:/srv/repo\nSuites: ./\nTrusted: yes\n');
  });
});

describe('pkg.purged', () => {
  it('purges installed packages and those only their configuration files are left of', async () => {
    const h = new FakeHost().file('/var/lib/dpkg/status', dpkgStatus([['nano', '7.2-1'], ['vim-tiny', '2:9.0', 'deinstall ok config-files'], ['ed', '1.19', 'purge ok not-installed']])).on(['apt-get', 'purge'], { exitCode: 0 });
    const r = await run(compileStates(`editors:\n  pkg.purged:\n    - pkgs: [nano, vim-tiny, ed]\n`), h, false);
    expect(summaries(r)).toEqual([['purge nano 7.2-1, vim-tiny (configuration files)']]);
    expect(h.commands()[0]).toEqual(['apt-get', 'purge', '-y', '-o', 'DPkg::Lock::Timeout=120', 'nano', 'vim-tiny']);
  });
});

describe('timezone.system, debconf.set, locale.present', () => {
  it('links /etc/localtime and writes /etc/timezone', async () => {
    const h = new FakeHost().file('/usr/share/zoneinfo/Europe/Amsterdam', 'TZif').file('/etc/timezone', 'Etc/UTC\n');
    h.fs.set('/etc/localtime', { type: 'symlink', target: '/usr/share/zoneinfo/Etc/UTC', uid: 0, gid: 0 });
    const c = compileStates('Europe/Amsterdam:\n  timezone.system\n');
    expect(summaries(await run(c, h, true))).toEqual([['time zone Etc/UTC → Europe/Amsterdam (/etc/localtime)', '/etc/timezone: Etc/UTC → Europe/Amsterdam']]);
    await run(c, h, false);
    expect(summaries(await run(c, h, true))).toEqual([[]]);
    expect((await run(compileStates('Mars/Olympus:\n  timezone.system\n'), h, true)).states[0].comment).toMatch(/unknown time zone Mars\/Olympus/);
  });

  it('sets debconf answers through debconf-set-selections on stdin, never showing a password', async () => {
    const h = new FakeHost()
      .file('/var/cache/debconf/config.dat', 'Name: locales/default_environment_locale\nTemplate: locales/default_environment_locale\nValue: None\nOwners: locales\n\n')
      .on(['debconf-set-selections'], { exitCode: 0 });
    const c = compileStates(`locales:\n  debconf.set:\n    - data:\n        locales/default_environment_locale: {type: select, value: de_DE.UTF-8}\n        mysql-server/root_password: {type: password, value: s3cret}\n`);
    const r = await run(c, h, false);
    expect(summaries(r)).toEqual([['locales/default_environment_locale: "None" → "de_DE.UTF-8"', 'mysql-server/root_password: unset → ********']]);
    expect(h.calls.filter((x) => x.op === 'exec').map((x) => (x.args[1] as { input: string }).input)).toEqual(['locales locales/default_environment_locale select de_DE.UTF-8\n', 'locales mysql-server/root_password password s3cret\n']);
    expect(JSON.stringify(r)).not.toContain('s3cret');
  });

  it('enables a locale in /etc/locale.gen as SUPPORTED spells it and runs locale-gen', async () => {
    const h = new FakeHost().file('/usr/share/i18n/SUPPORTED', 'de_DE.UTF-8 UTF-8\nde_DE ISO-8859-1\n').file('/etc/locale.gen', '# de_DE.UTF-8 UTF-8\n').on(['locale', '-a'], { stdout: 'C\nC.utf8\nPOSIX\n' }).on(['locale-gen'], { exitCode: 0 });
    const r = await run(compileStates('de_DE.UTF-8:\n  locale.present\n'), h, false);
    expect(summaries(r)).toEqual([['enable de_DE.UTF-8 UTF-8 in /etc/locale.gen', 'generate de_DE.UTF-8']]);
    expect(h.fs.get('/etc/locale.gen')).toMatchObject({ data: Buffer.from('de_DE.UTF-8 UTF-8\n') });
  });
});

describe('ssh_known_hosts.present', () => {
  const key = { type: 'ssh-ed25519', base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ' };

  it('hashes the host name as OpenSSH does, and finds it again', () => {
    const field = hashedField('github.com', Buffer.alloc(20, 1));
    expect(namesHost(field, 'github.com')).toBe(true);
    expect(namesHost(field, 'gitlab.com')).toBe(false);
    expect(namesHost('a.test,github.com', 'github.com')).toBe(true);
    expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const text = editKnownHosts('', '[git.test]:2222', key, () => `[git.test]:2222 ${key.type} ${key.base64}`);
    expect(editKnownHosts(text, '[git.test]:2222', key, () => 'never')).toBe(text);
    expect(editKnownHosts(text, '[git.test]:2222', { ...key, base64: 'AAAA' }, () => 'new')).toBe('new\n');
  });

  it('scans the host when no key is given and refuses a key with another fingerprint', async () => {
    const h = new FakeHost().file('/etc/passwd', ROOT).dir('/root').on(['ssh-keyscan'], { stdout: `git.test ${key.type} ${key.base64}\n` });
    const c = compileStates(`git.test:\n  ssh_known_hosts.present:\n    - user: root\n    - fingerprint: ${fingerprint(key)}\n`);
    expect(summaries(await run(c, h, false))).toEqual([['add ssh-ed25519 key of git.test in /root/.ssh/known_hosts']]);
    expect(h.fs.get('/root/.ssh')).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(summaries(await run(c, h, true))).toEqual([[]]);
    const wrong = compileStates(`git.test:\n  ssh_known_hosts.present:\n    - user: root\n    - fingerprint: SHA256:${'A'.repeat(43)}\n`);
    expect((await run(wrong, new FakeHost().file('/etc/passwd', ROOT).dir('/root').on(['ssh-keyscan'], { stdout: `git.test ${key.type} ${key.base64}\n` }), true)).states[0]).toMatchObject({
      result: 'failed',
      comment: expect.stringMatching(/^git.test offers SHA256:.*, not the fingerprint SHA256:A+$/),
    });
  });
});

describe('file.recurse', () => {
  it('copies a state-tree directory with patterns, per-file diffs, and clean', async () => {
    const dir = makeProject({
      'states/main.yaml': `/srv/site:\n  file.recurse:\n    - source: salt://site\n    - exclude_pat: '*.tmp'\n    - clean: True\n    - file_mode: 640\n`,
      'states/site/index.html': '<h1>hi</h1>\n',
      'states/site/css/main.css': 'body {}\n',
      'states/site/draft.tmp': 'no\n',
    });
    mkdirSync(`${dir}/states/site/img`, { recursive: true });
    writeFileSync(`${dir}/states/site/img/dot.bin`, Buffer.from([0, 1, 2, 255]));
    const c = compileProject(dir, {}, ['main']);
    const h = new FakeHost().dir('/srv/site').file('/srv/site/index.html', '<h1>old</h1>\n').file('/srv/site/stale.txt', 'x').file('/srv/site/keep.tmp', 'k');
    const planned = await run(c, h, true);
    expect(summaries(planned)).toEqual([
      [
        'create directory /srv/site/css (mode 0755)',
        'create directory /srv/site/img (mode 0755)',
        'create /srv/site/css/main.css',
        'create /srv/site/img/dot.bin',
        'update /srv/site/index.html',
        'remove /srv/site/stale.txt (clean: not in the source)',
      ],
    ]);
    expect(planned.states[0].changes[4].diff).toContain('-<h1>old</h1>\n+<h1>hi</h1>');
    await run(c, h, false);
    expect(h.fs.get('/srv/site/img/dot.bin')).toMatchObject({ mode: 0o640, data: Buffer.from([0, 1, 2, 255]) });
    expect(h.fs.has('/srv/site/keep.tmp')).toBe(true);
    expect(h.fs.has('/srv/site/draft.tmp')).toBe(false);
    expect(summaries(await run(c, h, true))).toEqual([[]]);
  });
});

describe('cmd.script', () => {
  it('runs a state-tree script by its #! interpreter, fed on stdin, with args as shell text or argv', async () => {
    const dir = makeProject({
      'states/main.yaml': `migrate:\n  cmd.script:\n    - source: salt://bin/migrate.sh\n    - args: --verbose "two words"\n    - creates: /srv/migrated\npy:\n  cmd.script:\n    - name: salt://bin/hello.py\n    - args: [a b, c]\n    - runas: app\n`,
      'states/bin/migrate.sh': '#!/bin/bash\necho "$@"\n',
      'states/bin/hello.py': '#!/usr/bin/env python3\nprint("hi")\n',
    });
    const c = compileProject(dir, {}, ['main']);
    const h = new FakeHost().on(() => ({ exitCode: 0 }));
    const r = await run(c, h, false);
    expect(summaries(r)).toEqual([['run salt://bin/migrate.sh --verbose "two words"'], ['run salt://bin/hello.py a b c']]);
    expect(h.calls.filter((x) => x.op === 'exec').map((x) => [x.args[0], (x.args[1] as { input: string }).input])).toEqual([
      [['/bin/sh', '-c', `cat | '/bin/bash' /dev/stdin --verbose "two words"`], '#!/bin/bash\necho "$@"\n'],
      [['runuser', '-u', 'app', '--', '/bin/sh', '-c', 'cat | "$@"', 'sh', '/usr/bin/env', 'python3', '/dev/stdin', 'a b', 'c'], '#!/usr/bin/env python3\nprint("hi")\n'],
    ]);
  });
});
