// git.latest, virtualenv.managed, pip.installed, file.directory recurse, gid_from_name,
// source_hash and contents_pillar: parsing, refusals and plans on a fake host.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseLsRemote, resolveRev } from '../../src/resources/git/remote.js';
import { parseSourceHash } from '../../src/resources/file/source-hash.js';
import { binEnv } from '../../src/resources/python/pip.js';
import { parseReport } from '../../src/resources/python/pip-plan.js';
import { badSpecifier, normalizeName, requirementLines } from '../../src/resources/python/requirements.js';
import { FakeHost } from '../support/fake-host.js';
import { compileProject, compileStates, makeProject, problemsOf, run } from '../support/project.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const T = 'c'.repeat(40);
const LS = `ref: refs/heads/main\tHEAD\n${A}\tHEAD\n${A}\trefs/heads/main\n${B}\trefs/heads/dev\n${T}\trefs/tags/v1\n${B}\trefs/tags/v1^{}\n`;
const summaries = (r: { states: { changes: { summary: string }[] }[] }) => r.states.map((s) => s.changes.map((c) => c.summary));
const messages = (yaml: string, pillar?: Record<string, string>) => problemsOf(() => compileStates(yaml, pillar)).map((p) => `${p.field} ${p.message}`);

describe('git.latest', () => {
  it('resolves a rev on the remote: HEAD, a branch, a peeled tag, a full commit id', () => {
    const remote = parseLsRemote(LS);
    expect(resolveRev(remote, undefined)).toEqual({ sha: A, branch: 'main', label: 'main' });
    expect(resolveRev(remote, 'dev')).toEqual({ sha: B, branch: 'dev', label: 'dev' });
    expect(resolveRev(remote, 'v1')).toEqual({ sha: B, label: 'tag v1' });
    expect(resolveRev(remote, T)).toEqual({ sha: T, label: `commit ${T.slice(0, 7)}` });
    expect(resolveRev(remote, 'abc1234')).toMatch(/full 40-digit id/);
    expect(resolveRev(parseLsRemote(''), undefined)).toMatch(/no HEAD/);
  });

  it('refuses what it cannot honour, naming why', () => {
    expect(messages('x:\n  git.latest:\n    - name: https://git.test/x.git\n    - target: /srv/x\n    - force_clone: True\n    - depth: 1\n    - remote: upstream\n    - force_reset: remote-changes\n')).toEqual([
      expect.stringMatching(/^force_clone not supported: brine does not delete a directory/),
      'remote not supported: the remote is always origin',
      expect.stringMatching(/^force_reset expected true or false, got "remote-changes"/),
      expect.stringMatching(/^depth a shallow history cannot show/),
    ]);
    expect(messages('x:\n  git.latest:\n    - name: https://git.test/x.git\n')).toEqual(['target is required']);
  });

  it('plans a clone from ls-remote alone, then an update A → B by fast-forward, and nothing once there', async () => {
    const c = compileStates('file:///srv/up:\n  git.latest:\n    - target: /srv/co\n');
    let head = A;
    const h: FakeHost = new FakeHost()
      .dir('/srv')
      .on(['git', 'ls-remote'], () => ({ exitCode: 0, stdout: LS.replace(new RegExp(A, 'g'), head) }))
      .on(['git', 'clone'], () => (h.dir('/srv/co/.git'), { exitCode: 0 }))
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'config'], { exitCode: 0, stdout: 'file:///srv/up\n' })
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'rev-parse'], () => ({ exitCode: 0, stdout: `${A}\nmain\n` }))
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'status'], { exitCode: 0, stdout: '' })
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'cat-file'], { exitCode: 1 });
    expect(summaries(await run(c, h, true))).toEqual([[`clone file:///srv/up (main, aaaaaaa) into /srv/co`]]);
    expect(h.writes()).toEqual([]);
    await run(c, h, false);
    expect(h.commands().filter((a: string[]) => a[0] === 'git' && !a.includes('ls-remote'))  .map((a: string[]) => a.slice(a.indexOf('-C') > 0 ? 5 : 1, -1))).toContainEqual(['checkout', '-q', '-B', 'main']);
    expect(summaries(await run(c, h, true))).toEqual([[]]);
    head = B;
    expect(summaries(await run(c, h, true))).toEqual([[`update /srv/co: aaaaaaa → bbbbbbb (main) (fetch, fast-forward only)`]]);
  });

  it('fails on local changes unless force_reset, and on a non-empty directory that is no checkout', async () => {
    const c = compileStates('file:///srv/up:\n  git.latest:\n    - target: /srv/co\n    - rev: dev\n');
    const h = new FakeHost()
      .dir('/srv/co/.git')
      .on(['git', 'ls-remote'], { exitCode: 0, stdout: LS })
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'config'], { exitCode: 0, stdout: 'file:///srv/up\n' })
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'rev-parse'], { exitCode: 0, stdout: `${A}\nmain\n` })
      .on(['git', '-c', 'safe.directory=/srv/co', '-C', '/srv/co', 'status'], { exitCode: 0, stdout: ' M README\n' });
    expect((await run(c, h, true)).states[0].comment).toMatch(/has local changes \(git status\): set force_reset: true/);
    const other = new FakeHost().file('/srv/co/x', 'x').on(['git', 'ls-remote'], { exitCode: 0, stdout: LS });
    expect((await run(c, other, true)).states[0].comment).toMatch(/is not empty and is not a git checkout/);
  });
});

describe('pip.installed and virtualenv.managed', () => {
  it('checks specifiers and requirements lines, names packages as pip compares them', () => {
    expect(badSpecifier('Django>=4.2,<5')).toBeUndefined();
    expect(badSpecifier('pkg[extra]==1; python_version>"3"')).toBeUndefined();
    expect(badSpecifier('--index-url=http://x')).toMatch(/pip option/);
    expect(badSpecifier('./local/dir')).toMatch(/not a requirement specifier/);
    expect(normalizeName('Zope.Interface>=5')).toBe('zope-interface');
    expect(requirementLines('# c\nDjango==4.2  # pinned\n\n-r other.txt\n')).toEqual({ lines: ['Django==4.2'], problems: [expect.stringMatching(/^line 4: options are not supported/)] });
    expect(binEnv('/srv/venv/')).toEqual({ python: '/srv/venv/bin/python', venv: '/srv/venv' });
    expect(binEnv('/srv/venv/bin/pip3')).toEqual({ python: '/srv/venv/bin/python', venv: '/srv/venv' });
    expect(parseReport('{"version": "1", "install": [{"metadata": {"name": "a", "version": "1"}, "requested": true}]}')).toHaveLength(1);
    expect(() => parseReport('{}')).toThrow(/no install list/);
  });

  it('needs a bin_env (Debian’s Python is externally managed) and refuses what it cannot carry over', () => {
    expect(messages('x:\n  pip.installed:\n    - name: django\n    - editable: ./src\n')).toEqual([
      expect.stringMatching(/^editable not supported/),
      expect.stringMatching(/^bin_env is required: Debian's system Python is externally managed/),
    ]);
    expect(messages('/srv/v:\n  virtualenv.managed:\n    - venv_bin: virtualenv\n    - pip_pkgs: [-e .]\n')).toEqual([
      expect.stringMatching(/^venv_bin not supported: brine makes virtualenvs with python3 -m venv/),
      expect.stringMatching(/^pip_pkgs "-e \." is a pip option/),
    ]);
  });

  it('plans an install from pip’s own dry run, with index options in its environment and requirements on stdin', async () => {
    const c = compileStates('x:\n  pip.installed:\n    - pkgs: [tinypkg==1.0, other]\n    - bin_env: /srv/venv\n    - no_index: True\n    - find_links: /srv/wheels\n');
    const report = { install: [{ metadata: { name: 'TinyPkg', version: '1.0' }, requested: true }, { metadata: { name: 'dep', version: '2' } }] };
    const h = new FakeHost().file('/srv/venv/bin/python', '').on((argv, o) => (argv.includes('--dry-run') ? { exitCode: 0, stdout: JSON.stringify(report), stderr: o.env?.PIP_FIND_LINKS ?? '' } : undefined));
    const r = await run(c, h, true);
    expect(summaries(r)).toEqual([['pip install tinypkg==1.0 into /srv/venv']]);
    expect(r.states[0].changes[0].detail).toEqual({ install: ['TinyPkg 1.0', 'dep 2'] });
    expect(h.commands()[0]).toEqual(['/bin/sh', '-c', 'umask 022 && exec "$@"', 'brine', '/srv/venv/bin/python', '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--dry-run', '--quiet', '--no-cache-dir', '--report', '-', '--no-index', 'tinypkg==1.0', 'other']);
    expect(h.writes()).toEqual([]);
  });

  it('a missing virtualenv is an error naming what makes it', async () => {
    const r = await run(compileStates('x:\n  pip.installed:\n    - name: a\n    - bin_env: /srv/venv\n'), new FakeHost(), true);
    expect(r.states[0].comment).toMatch(/\/srv\/venv\/bin\/python does not exist: make the virtualenv first/);
  });
});

describe('file.directory recurse, user.present gid_from_name', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\napp:x:1001:1001::/home/app:/bin/sh\n';
  const group = 'root:x:0:\napp:x:1001:\n';

  it('brings owner and modes below the directory in one change each, symlinks left alone', async () => {
    const c = compileStates('/srv/d:\n  file.directory:\n    - user: app\n    - group: app\n    - mode: 750\n    - file_mode: 640\n    - recurse: [user, group, mode]\n');
    const h = new FakeHost().file('/etc/passwd', passwd).file('/etc/group', group).dir('/srv/d', { mode: 0o750, uid: 1001, gid: 1001 }).file('/srv/d/a', 'a').dir('/srv/d/s').file('/srv/d/s/b', 'b', { mode: 0o640, uid: 1001, gid: 1001 });
    h.fs.set('/srv/d/link', { type: 'symlink', target: '/etc', uid: 0, gid: 0 });
    expect(summaries(await run(c, h, true))).toEqual([['recurse: owner → app:app on 2 paths below /srv/d', 'recurse: mode → 0750 on 1 directory below /srv/d', 'recurse: mode → 0640 on 1 file below /srv/d']]);
    await run(c, h, false);
    expect(h.fs.get('/srv/d/a')).toMatchObject({ mode: 0o640, uid: 1001, gid: 1001 });
    expect(h.fs.get('/srv/d/link')).toMatchObject({ uid: 0 });
    expect(summaries(await run(c, h, true))).toEqual([[]]);
  });

  it('refuses file_mode without recurse: [mode], and recurse: [user] without a user', () => {
    expect(messages('/srv/d:\n  file.directory:\n    - file_mode: 640\n    - recurse: [user, silently]\n')).toEqual([
      'recurse unknown value "silently" (Salt\'s: user, group, mode, ignore_files, ignore_dirs, silent)',
      'recurse recurse names user, but the state sets no user',
      'file_mode applies only to the files below the directory: add recurse: [mode]',
    ]);
  });

  it('gid_from_name takes the existing group named after the user, and never makes one', async () => {
    const h = new FakeHost().file('/etc/passwd', passwd).file('/etc/group', group + 'svc:x:1002:\n');
    expect(summaries(await run(compileStates('svc:\n  user.present:\n    - gid_from_name: True\n'), h, true))).toEqual([['create user svc (group svc, home /home/svc)']]);
    const none = await run(compileStates('web:\n  user.present:\n    - gid_from_name: True\n'), h, true);
    expect(none.states[0].comment).toMatch(/no group named 'web' \(gid_from_name/);
    expect(messages('svc:\n  user.present:\n    - gid: app\n    - gid_from_name: True\n')).toEqual(['gid_from_name give gid or gid_from_name, not both']);
  });
});

describe('file.managed source_hash and contents_pillar', () => {
  it('reads source_hash as Salt writes it, and refuses a source that differs', () => {
    expect(parseSourceHash('sha256=' + 'A'.repeat(64))).toEqual({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    expect(parseSourceHash('d41d8cd98f00b204e9800998ecf8427e')).toEqual({ algorithm: 'md5', hex: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(parseSourceHash('https://x.test/SHA256SUMS')).toMatchObject({ error: expect.stringMatching(/a hash file or URL is not supported/) });
    expect(parseSourceHash('sha1=' + 'a'.repeat(64))).toMatchObject({ error: '64 hex digits is not a sha1 digest' });
    expect(messages('/etc/x:\n  file.managed:\n    - contents: x\n    - source_hash: md5=d41d8cd98f00b204e9800998ecf8427e\n')).toEqual(['source_hash checks a source: give source too']);
    const dir = makeProject({ 'states/main.yaml': '/etc/x:\n  file.managed:\n    - source: salt://x.conf\n    - source_hash: md5=d41d8cd98f00b204e9800998ecf8427e\n', 'states/x.conf': 'changed\n' });
    expect(problemsOf(() => compileProject(dir, {}, ['main'])).map((p) => `${p.line} ${p.field} ${p.message}`)).toEqual([
      `4 source_hash salt://x.conf has md5 ${createHash('md5').update('changed\n').digest('hex')}, not d41d8cd98f00b204e9800998ecf8427e as source_hash says: the source changed since it was pinned`,
    ]);
  });

  it('contents_pillar: a missing key is an error; a secret one shows no content and no digest', async () => {
    expect(messages('/etc/k:\n  file.managed:\n    - contents_pillar: tls:key\n', { 'app.yaml': 'tls: {}\n' })).toEqual([expect.stringMatching(/^contents_pillar pillar key "tls:key" is missing/)]);
    const plain = compileStates('/etc/k:\n  file.managed:\n    - contents_pillar: app:motd\n', { 'app.yaml': 'app: {motd: hello there}\n' });
    const h = new FakeHost().dir('/etc');
    expect((await run(plain, h, true)).states[0].changes[0].diff).toMatch(/\+hello there/);
    const secret = compileStates('/etc/k:\n  file.managed:\n    - contents_pillar: tls:key\n', { 'secrets.yaml': 'tls: {key: very-secret-key}\n' });
    const change = (await run(secret, h, true)).states[0].changes[0];
    expect(change.diff).toBe('File /etc/k: content hidden (from secret pillar key tls:key)\n');
    expect(change.detail).toBeUndefined();
    await run(secret, h, false);
    expect(h.fs.get('/etc/k')).toMatchObject({ data: Buffer.from('very-secret-key\n') });
  });
});
