import { describe, expect, it } from 'vitest';
import { FakeHost } from '../support/fake-host.js';
import { compileStates, results, run } from '../support/project.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nwww-data:x:33:\n';

function host() {
  return new FakeHost().file('/etc/passwd', PASSWD).file('/etc/group', GROUP).dir('/srv');
}

const TREE = `
/srv/app:
  file.directory:
    user: www-data
    mode: 750
/srv/app/config.ini:
  file.managed:
    contents: "port = {{pillar.port}}"
    mode: 640
    group: www-data
restart:
  cmd.run:
    name: [systemctl, restart, app]
    watch:
      - file: /srv/app/config.ini
migrate:
  cmd.run:
    name: [./migrate]
    cwd: /srv/app
    onchanges: [/srv/app]
`;

describe('engine', () => {
  it('plans in --test without a single write, then apply converges and a re-run changes nothing', async () => {
    const c = compileStates(TREE, { 'app.yaml': 'port: 8080\n' });
    const h = host();
    const planned = await run(c, h, true);
    expect(h.writes()).toEqual([]);
    expect(results(planned)).toEqual({ '/srv/app': 'pending', '/srv/app/config.ini': 'pending', restart: 'pending', migrate: 'pending' });
    expect(planned.states[1].changes[0].diff).toContain('+port = 8080');

    h.on(['systemctl'], { exitCode: 0 }).on(['./migrate'], { exitCode: 0, stdout: 'migrated\n' });
    const applied = await run(c, h, false);
    expect(results(applied)).toEqual({ '/srv/app': 'changed', '/srv/app/config.ini': 'changed', restart: 'changed', migrate: 'changed' });
    expect(h.fs.get('/srv/app/config.ini')).toMatchObject({ mode: 0o640, gid: 33, data: Buffer.from('port = 8080\n') });
    expect(h.fs.get('/srv/app')).toMatchObject({ type: 'directory', mode: 0o750, uid: 33 });
    expect(applied.states[3].changes[0].detail).toMatchObject({ retcode: 0, stdout: 'migrated' });

    const again = await run(c, h, false);
    expect(results(again)).toEqual({ '/srv/app': 'ok', '/srv/app/config.ini': 'ok', restart: 'changed', migrate: 'ok' });
    // cmd.run without creates/unless runs every time, like Salt's; the watch did not add a second run.
    expect(h.commands().filter((a) => a[0] === 'systemctl')).toHaveLength(2);
  });

  it('reacts to watch only when the watched state changes or would change', async () => {
    // cmd.wait: Salt's command that runs only when a watched state changes.
    const c = compileStates(`
/srv/a: {file.managed: {contents: a}}
react:
  cmd.wait: {name: [reload-it], watch: [/srv/a]}
`);
    const h = host().file('/srv/a', 'a\n');
    expect(results(await run(c, h, true))).toEqual({ '/srv/a': 'ok', react: 'ok' });
    h.file('/srv/a', 'old\n');
    const r = await run(c, h, true);
    expect(results(r)).toEqual({ '/srv/a': 'pending', react: 'pending' });
    expect(r.states[1].comment).toContain('watching /srv/a');
    expect(h.writes()).toEqual([]);
  });

  it("skips a state and its watch reaction when creates exists, as Salt's skip_watch does", async () => {
    const c = compileStates(`
/srv/a: {file.managed: {contents: a}}
react:
  cmd.run: {name: [reload-it], creates: /srv/done, watch: [/srv/a]}
`);
    const h = host().file('/srv/a', 'old\n').file('/srv/done', '');
    // In --test the check runs on the host as /srv/a's predicted write leaves it: skipped, exactly
    // as the real run then does (a requisite whose effect is not predicted would make it pending).
    const planned = await run(c, h, true);
    expect(results(planned)).toEqual({ '/srv/a': 'pending', react: 'ok' });
    expect(planned.states[1]).toMatchObject({ changes: [], comment: 'depends on /srv/a (pending); /srv/done exists' });
    const applied = await run(c, h, false);
    expect(results(applied)).toEqual({ '/srv/a': 'changed', react: 'ok' });
    expect(applied.states[1].comment).toBe('/srv/done exists');
    expect(h.commands()).toEqual([]);
  });

  it('fails dependants of a failed state with "requisite failed" and goes on with the rest', async () => {
    const c = compileStates(`
broken: {cmd.run: {name: [explode]}}
after: {file.managed: {name: /srv/x, contents: x, require: [broken]}}
independent: {file.managed: {name: /srv/y, contents: y}}
`);
    const h = host().on(['explode'], { exitCode: 3, stderr: 'boom' });
    const r = await run(c, h, false);
    expect(results(r)).toEqual({ broken: 'failed', after: 'failed', independent: 'changed' });
    expect(r.states[0].comment).toContain('exit 3');
    expect(r.states[1].comment).toBe('requisite failed: broken');
    expect(r.states[1].skipped).toBe(true);
    expect(r.summary).toMatchObject({ failed: 1, skipped: 1, changed: 1, total: 3 });
  });

  it('fails a state whose changes do not stick (re-plan after apply)', async () => {
    const c = compileStates(`/srv/x: {file.managed: {contents: wanted}}`);
    const h = host();
    h.writeFile = async () => undefined; // a write that silently does nothing
    const r = await run(c, h, false);
    expect(r.states[0].result).toBe('failed');
    expect(r.states[0].comment).toContain('some changes could not be applied: create file');
  });

  it('plans against the host as pending requisites will leave it, and fails in --test what apply would fail', async () => {
    const c = compileStates(`
/srv/new: {file.directory: {}}
/srv/new/file: {file.managed: {contents: x, mode: 600, require: [/srv/new]}}
/srv/new/other: {file.managed: {contents: x, user: nobody-yet, require: [/srv/new]}}
`);
    const r = await run(c, host(), true);
    expect(results(r)).toEqual({ '/srv/new': 'pending', '/srv/new/file': 'pending', '/srv/new/other': 'failed' });
    expect(r.states[1].comment).toBe('depends on /srv/new (pending)');
    expect(r.states[1].changes).toEqual([expect.objectContaining({ summary: 'create file (2 bytes, mode 0600)', diff: expect.stringContaining('+x') })]);
    expect(r.states[2].comment).toBe("user 'nobody-yet' does not exist");
  });

  it('names an ID holding several unpredicted pending states once when a state cannot plan yet', async () => {
    const c = compileStates(`
/srv/new:
  file.directory: {}
  cmd.run: {name: [make-it]}
/srv/other/file: {file.managed: {contents: x}}
`);
    const r = await run(c, host().on(['make-it'], {}), true);
    expect(r.states[2].result).toBe('pending');
    expect(r.states[2].comment).toBe('cannot plan yet: parent directory /srv/other does not exist (set makedirs: true to create it) (the effects of /srv/new are not predicted)');
  });

  it('fails a rejected candidate in --test, unless its own requisites are pending (the validator may need them)', async () => {
    const c = compileStates(`
/srv/new: {file.directory: {}}
/srv/conf: {file.managed: {contents: bad, check_cmd: validate, require: [/srv/new]}}
/srv/other: {file.managed: {contents: bad, check_cmd: validate}}
`);
    const h = host().on(['validate'], (argv) => ({ exitCode: 1, stderr: `syntax error\n${argv[1]}: line 1: bad` }));
    const r = await run(c, h, true);
    // The package or certificate a validator needs may be what the pending requisite brings.
    expect(results(r)).toEqual({ '/srv/new': 'pending', '/srv/conf': 'pending', '/srv/other': 'failed' });
    expect(r.states[1].comment).toMatch(/^depends on \/srv\/new \(pending\); cannot validate yet: check_cmd rejected the new content \(exit 1\): validate\nsyntax error/);
    expect(r.states[1].changes).toEqual([expect.objectContaining({ summary: expect.stringMatching(/^create file/), diff: expect.stringContaining('+bad') })]);
    // The validator's line reference names the file the candidate is for, and its diff shows.
    expect(r.states[2].comment).toBe('check_cmd rejected the new content (exit 1): validate\nsyntax error\n/srv/other (candidate): line 1: bad');
    expect(r.states[2].changes).toEqual([expect.objectContaining({ diff: expect.stringContaining('+bad') })]);
  });

  it('skips onchanges states when nothing they watch changes', async () => {
    const c = compileStates(`
/srv/a: {file.managed: {contents: a}}
once: {cmd.run: {name: [do-it], onchanges: [/srv/a]}}
`);
    const h = host().file('/srv/a', 'a\n');
    const r = await run(c, h, false);
    expect(results(r)).toEqual({ '/srv/a': 'ok', once: 'ok' });
    expect(r.states[1].comment).toContain('no changes in its onchanges requisites');
    expect(h.commands()).toEqual([]);
  });

  it('runs onfail states only when their target failed', async () => {
    const c = compileStates(`
job: {cmd.run: {name: [job]}}
alert: {cmd.run: {name: [alert], onfail: [job]}}
`);
    const ok = host().on(['job'], { exitCode: 0 }).on(['alert'], { exitCode: 0 });
    expect(results(await run(c, ok, false))).toEqual({ job: 'changed', alert: 'ok' });
    const bad = host().on(['job'], { exitCode: 1 }).on(['alert'], { exitCode: 0 });
    expect(results(await run(c, bad, false))).toEqual({ job: 'failed', alert: 'changed' });
  });
});
