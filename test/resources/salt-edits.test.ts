// file.append, file.replace, file.blockreplace, host.present and cron: plans (with diffs) that a
// second run finds done, and the pure edits behind them.
import { describe, expect, it } from 'vitest';
import { editCrontab, fromSpool, HEADER } from '../../src/resources/cron/crontab.js';
import { editLine } from '../../src/resources/file/line.js';
import { jsPattern, jsReplacement } from '../../src/resources/file/python-regex.js';
import { planEdit } from '../../src/resources/file/edit.js';
import { Secrets } from '../../src/core/secrets.js';
import { FakeHost } from '../support/fake-host.js';
import { compileStates, problemsOf, run } from '../support/project.js';

const CONF = 'listen = 127.0.0.1\nworkers = 2\n';

async function converge(states: string, h: FakeHost) {
  const c = compileStates(states);
  const writes = h.writes().length;
  const planned = await run(c, h, true);
  expect(h.writes().length).toBe(writes);
  const applied = await run(c, h, false);
  expect(applied.summary.failed, JSON.stringify(applied.states)).toBe(0);
  expect((await run(c, h, true)).summary.pending).toBe(0);
  return planned;
}

describe('file.append / file.replace / file.blockreplace', () => {
  it('hides the removed lines of a file that holds a secret: the old value is one no mask knows', async () => {
    const secrets = new Secrets();
    secrets.add('new-token-Zq81');
    const h = new FakeHost().file('/etc/app.env', 'TOKEN=old-token-Yx42\nDEBUG=0\n');
    const edit = (t: string | null) => (t ?? '').replace(/^TOKEN=.*$/m, 'TOKEN=new-token-Zq81');
    const [change] = await planEdit(h, { path: '/etc/app.env', edit, create: false, secrets });
    expect(change.diff).not.toContain('old-token-Yx42');
    expect(change.diff).toMatch(/^-TOKEN=\*{8}$/m);
    // A file with no secret in it shows its diff as it is.
    const [plain] = await planEdit(h, { path: '/etc/app.env', edit: (t) => (t ?? '').replace('DEBUG=0', 'DEBUG=1'), create: false, secrets });
    expect(plain.diff).toContain('-DEBUG=0');
  });

  it('appends only what is missing (whitespace aside), and creates the file', async () => {
    const h = new FakeHost().file('/etc/app.conf', 'listen   =  127.0.0.1');
    const planned = await converge(`a:\n  file.append:\n    - name: /etc/app.conf\n    - text:\n      - listen = 127.0.0.1\n      - debug = false\n`, h);
    expect(planned.states[0].changes[0]).toMatchObject({ summary: 'append 1 line(s) to /etc/app.conf', diff: expect.stringContaining('+debug = false') });
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from('listen   =  127.0.0.1\ndebug = false\n') });
    const fresh = new FakeHost().dir('/etc');
    await converge(`a:\n  file.append:\n    - name: /etc/new.conf\n    - text: one\n`, fresh);
    expect(fresh.fs.get('/etc/new.conf')).toMatchObject({ data: Buffer.from('one\n') });
  });

  it('replaces with a Python pattern and replacement, keeping mode and owner', async () => {
    const h = new FakeHost().file('/etc/app.conf', CONF, { mode: 0o640, gid: 33 });
    await converge(String.raw`r:
  file.replace:
    - name: /etc/app.conf
    - pattern: '^(?P<key>workers) = \d+$'
    - repl: '\g<key> = 4'
`, h);
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from('listen = 127.0.0.1\nworkers = 4\n'), mode: 0o640, gid: 33 });
    expect(jsPattern('(?P<a>x)(?P=a)\\Z')).toBe('(?<a>x)\\k<a>(?![\\s\\S])');
    expect(jsReplacement('\\1-\\g<2>-$5\\n')).toBe('$1-$2-$$5\n');
    expect(problemsOf(() => compileStates(`r:\n  file.replace:\n    - name: /x\n    - pattern: '(?i)a'\n    - repl: b\n`))[0].message).toMatch(/inline flags/);
  });

  it('appends the content when the pattern is not found, once', async () => {
    const h = new FakeHost().file('/etc/app.conf', CONF);
    await converge(`r:\n  file.replace:\n    - name: /etc/app.conf\n    - pattern: '^debug = .*$'\n    - repl: debug = false\n    - append_if_not_found: True\n`, h);
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from(CONF + 'debug = false\n') });
  });

  it('replaces what is between the markers, or adds the block with append_if_not_found', async () => {
    const h = new FakeHost().file('/etc/app.conf', CONF);
    const states = (content: string) => `b:\n  file.blockreplace:\n    - name: /etc/app.conf\n    - marker_start: '# BEGIN'\n    - marker_end: '# END'\n    - content: ${JSON.stringify(content)}\n    - append_if_not_found: True\n`;
    await converge(states('a\nb\n'), h);
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from(`${CONF}# BEGIN\na\nb\n# END\n`) });
    await converge(states('c\n'), h);
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from(`${CONF}# BEGIN\nc\n# END\n`) });
    const none = await run(compileStates(`b:\n  file.blockreplace:\n    - name: /etc/app.conf\n    - marker_start: '# X'\n    - marker_end: '# Y'\n`), h, true);
    expect(none.states[0]).toMatchObject({ result: 'failed', comment: expect.stringMatching(/^markers not found in \/etc\/app.conf/) });
  });
});

describe('host.present', () => {
  it('adds the name to the address line, or a new line; clean takes it off other addresses', async () => {
    const h = new FakeHost().file('/etc/hosts', '127.0.0.1\tlocalhost\n10.0.0.5\tdb # primary\n10.0.0.9\tdb.internal\n');
    await converge(`db.internal:\n  host.present:\n    - ip: [10.0.0.5, 10.0.0.6]\n    - clean: True\n`, h);
    expect(h.fs.get('/etc/hosts')!).toMatchObject({ data: Buffer.from('127.0.0.1\tlocalhost\n10.0.0.5\tdb db.internal # primary\n10.0.0.6\tdb.internal\n') });
  });
});

describe('cron', () => {
  it('adds, updates by identifier, and removes by command, in Salt layout', () => {
    const job = { cmd: '/usr/local/bin/backup', identifier: 'nightly', when: '30 2 * * *' };
    const added = editCrontab('MAILTO=ops\n17 * * * * /usr/bin/old\n', job, false);
    expect(added).toBe(`MAILTO=ops\n17 * * * * /usr/bin/old\n${HEADER}\n# SALT_CRON_IDENTIFIER:nightly\n30 2 * * * /usr/local/bin/backup\n`);
    expect(editCrontab(added, { ...job, when: '0 3 * * *' }, false)).toBe(added.replace('30 2', '0 3'));
    expect(editCrontab(added, { cmd: '/usr/bin/old', identifier: '/usr/bin/old', when: '* * * * *' }, true)).toBe(added.replace('17 * * * * /usr/bin/old\n', ''));
    expect(fromSpool('# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (- installed on Wed Dec  2 08:00:00 2026)\n# (Cron version -- $Id: crontab.c,v 2.13 1994/01/17 03:20:37 vixie Exp $)\nx\n')).toBe('x\n');
  });

  it('plans from the spool and installs with crontab -u USER - (stdin)', async () => {
    const h = new FakeHost().file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n').dir('/var/spool/cron/crontabs').on(['crontab'], { exitCode: 0 });
    const c = compileStates(`backup:\n  cron.present:\n    - name: /usr/local/bin/backup\n    - minute: 30\n    - hour: 2\n`);
    const r = await run(c, h, false);
    expect(r.states[0].changes[0].summary).toBe('add cron job for root: 30 2 * * * /usr/local/bin/backup');
    expect(h.calls.find((x) => x.op === 'exec')!.args).toEqual([['crontab', '-u', 'root', '-'], { input: `${HEADER}\n# SALT_CRON_IDENTIFIER:/usr/local/bin/backup\n30 2 * * * /usr/local/bin/backup\n` }]);
  });
});

describe('file.line', () => {
  const base = { path: '/x', content: '  listen 8080;', indent: true, create: false, showChanges: true } as const;
  const text = 'server {\n    listen 80;\n    root /srv;\n}\n';

  it('replaces, deletes, inserts and ensures as Salt, keeping indentation and doing nothing twice', () => {
    const replaced = editLine({ ...base, mode: 'replace', match: /listen/ }, text);
    expect(replaced).toBe('server {\n    listen 8080;\n    root /srv;\n}\n');
    expect(editLine({ ...base, mode: 'replace', match: /listen/ }, replaced)).toBe(replaced);
    expect(editLine({ ...base, mode: 'delete', match: /root/ }, text)).toBe('server {\n    listen 80;\n}\n');
    const inserted = editLine({ ...base, mode: 'insert', after: /root/ }, text);
    expect(inserted).toBe('server {\n    listen 80;\n    root /srv;\n    listen 8080;\n}\n');
    expect(editLine({ ...base, mode: 'insert', after: /root/ }, inserted)).toBe(inserted);
    expect(editLine({ ...base, mode: 'insert', location: 'start' }, text)).toBe('  listen 8080;\n' + text);
    const ensured = editLine({ ...base, mode: 'ensure', after: /^server/ }, text);
    expect(ensured).toBe('server {\n    listen 8080;\n    listen 80;\n    root /srv;\n}\n'.replace('    listen 8080', 'listen 8080'));
    expect(editLine({ ...base, mode: 'ensure', after: /^server/ }, ensured)).toBe(ensured);
    expect(editLine({ ...base, mode: 'ensure', after: /listen 80;/, before: /^}/ }, text)).toBe('server {\n    listen 80;\n    listen 8080;\n}\n');
    expect(() => editLine({ ...base, mode: 'insert', before: /nothing/ }, text)).toThrow('no line matches before: nothing');
  });

  it('plans with a diff and converges', async () => {
    const h = new FakeHost().file('/etc/app.conf', CONF);
    const planned = await converge(`l:\n  file.line:\n    - name: /etc/app.conf\n    - mode: ensure\n    - after: '^listen'\n    - content: port = 80\n`, h);
    expect(planned.states[0].changes[0]).toMatchObject({ summary: 'ensure a line in /etc/app.conf', diff: expect.stringContaining('+port = 80') });
    expect(h.fs.get('/etc/app.conf')).toMatchObject({ data: Buffer.from('listen = 127.0.0.1\nport = 80\nworkers = 2\n') });
  });
});
