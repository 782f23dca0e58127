// service.running / dead / enabled / disabled planned against scripted `systemctl show` output.
import { describe, expect, it } from 'vitest';
import { compileStates, results, run } from '../support/project.js';
import { commandLines, dpkgStatus, SystemHost } from './system-host.js';

const SHOW = 'systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState,CanReload,NeedDaemonReload --';

const units = {
  'nginx.service': { CanReload: 'yes' },
  'ssh.service': {},
  'app.service': { ActiveState: 'inactive', SubState: 'dead', UnitFileState: 'disabled' },
  'systemd-journald.service': { UnitFileState: 'static' },
};

/** Unit states change as systemctl verbs run, like the real thing. */
function host(table: Record<string, Record<string, string>> = units) {
  const live = structuredClone(table);
  const h = new SystemHost().units(live);
  h.on(['systemctl'], (argv) => {
    const u = live[argv[2]];
    if (u && argv[1] === 'start') Object.assign(u, { ActiveState: 'active', SubState: 'running' });
    if (u && argv[1] === 'stop') Object.assign(u, { ActiveState: 'inactive', SubState: 'dead' });
    if (u && argv[1] === 'enable') u.UnitFileState = 'enabled';
    if (u && argv[1] === 'disable') u.UnitFileState = 'disabled';
    if (argv[1] === 'daemon-reload') for (const v of Object.values(live)) v.NeedDaemonReload = 'no';
    return { exitCode: 0 };
  });
  h.units(live);
  return h;
}

const summaries = (r: Awaited<ReturnType<typeof run>>) => r.states.map((s) => s.changes.map((c) => c.summary));

describe('service', () => {
  it('plans every unit of the run with one systemctl show, and nothing else when all is in place', async () => {
    const h = host();
    const c = compileStates(
      'nginx:\n  service.running:\n    - enable: true\nold:\n  service.dead:\n    - name: app\nssh:\n  service.enabled: []\nj:\n  service.disabled:\n    - name: systemd-journald\ngone:\n  service.dead:\n    - name: telnetd\n',
    );
    const r = await run(c, h, true);
    expect(results(r)).toEqual({ nginx: 'ok', old: 'ok', ssh: 'ok', j: 'ok', gone: 'ok' });
    expect(commandLines(h)).toEqual([`${SHOW} nginx.service app.service telnetd.service ssh.service systemd-journald.service`]);
    expect(r.states.find((s) => s.id === 'gone')?.comment).toBe('telnetd.service not found');
    expect(h.writes()).toEqual([]);
  });

  it("reads the units' states while earlier states plan (one systemctl show, started by prefetch)", async () => {
    const h = host();
    let showStartedFirst: boolean | undefined;
    // The first state's check takes a while, as a real command does.
    const query = h.query.bind(h);
    h.query = async (argv, opts) => {
      if (argv[0] !== 'slow-check') return query(argv, opts);
      await new Promise((r) => setTimeout(r, 50));
      showStartedFirst = commandLines(h).some((l) => l.startsWith(SHOW));
      return query(argv, opts);
    };
    h.on(['slow-check'], { exitCode: 0 });
    const c = compileStates('first:\n  cmd.run:\n    - name: [/bin/true]\n    - unless: [[slow-check]]\nnginx:\n  service.running: []\nssh:\n  service.enabled: []\n');
    const r = await run(c, h, true);
    expect(results(r)).toEqual({ first: 'ok', nginx: 'ok', ssh: 'ok' });
    expect(showStartedFirst).toBe(true);
    expect(commandLines(h).filter((l) => l.startsWith('systemctl'))).toEqual([`${SHOW} nginx.service ssh.service`]);
  });

  it('a real apply asks systemctl show once before its first change: the lockout plan\'s answer is handed on', async () => {
    const h = host();
    const c = compileStates('app:\n  service.running:\n    - enable: true\nnginx:\n  service.running: []\n');
    const r = await run(c, h, false);
    expect(results(r)).toEqual({ app: 'changed', nginx: 'ok' });
    const lines = commandLines(h);
    const firstChange = lines.findIndex((l) => !l.startsWith(SHOW));
    // One read for the plan (and the lockout check) and the apply's first plan; then the change
    // drops it and the re-plan after it reads again.
    expect(lines.slice(0, firstChange)).toEqual([`${SHOW} app.service nginx.service`]);
  });

  it('starts and enables, in that order after any daemon-reload, and reads it back', async () => {
    const h = host({ ...units, 'app.service': { ...units['app.service'], NeedDaemonReload: 'yes' } });
    const c = compileStates('app:\n  service.running:\n    - enable: true\n');
    expect(summaries(await run(c, h, true))).toEqual([['systemctl daemon-reload (app.service changed on disk)', 'enable app.service', 'start app.service']]);
    const r = await run(c, h, false);
    expect(results(r)).toEqual({ app: 'changed' });
    expect(h.commands().filter((x) => x[1] !== 'show')).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'app.service'],
      ['systemctl', 'start', 'app.service'],
    ]);
    expect(results(await run(c, h, false))).toEqual({ app: 'ok' });
  });

  it('stops and disables for service.dead; static units have nothing to enable', async () => {
    const h = host();
    const r = await run(compileStates('n:\n  service.dead:\n    - name: nginx\n    - enable: false\nj:\n  service.enabled:\n    - name: systemd-journald\n'), h, true);
    expect(summaries(r)).toEqual([['disable nginx.service', 'stop nginx.service'], []]);
    expect(r.states[1].comment).toBe('systemd-journald.service is static: nothing to enable');
  });

  it('reports a missing unit as pending behind a pending pkg state, and as failed alone', async () => {
    const h = host().file('/var/lib/dpkg/status', dpkgStatus([])).aptLists().aptPolicy({ gunicorn: ['20.1.0-6'] });
    const c = compileStates('gunicorn:\n  pkg.installed: []\n  service.running:\n    - require:\n      - pkg: gunicorn\n');
    const r = await run(c, h, true);
    expect(r.states.map((s) => s.result)).toEqual(['pending', 'pending']);
    // What a package ships is unknown until it is installed (no .deb to read here: anything new).
    expect(r.states[1].comment).toBe('depends on gunicorn (pending); /etc/systemd/system/gunicorn.service: unknown until gunicorn is installed');
    expect(r.states[1].changes).toEqual([]);
    const alone = await run(compileStates('gunicorn:\n  service.running: []\n'), host(), true);
    expect(alone.states[0]).toMatchObject({ result: 'failed', comment: 'unit gunicorn.service not found' });
  });

  it('reloads systemd first when a unit file is new to it, then starts the unit', async () => {
    const h = host();
    h.file('/etc/systemd/system/web.service', '[Service]\nExecStart=/bin/true\n');
    const r = await run(compileStates('web:\n  service.running: []\n'), h, true);
    expect(summaries(r)).toEqual([['systemctl daemon-reload (web.service changed on disk)', 'start web.service']]);
  });

  it('predicts a unit whose file an earlier state writes as systemd will load it: no daemon-reload, enable, start', async () => {
    const tree = "/etc/systemd/system/web.service:\n  file.managed:\n    - contents: \"[Service]\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\"\nweb:\n  service.running:\n    - enable: true\n    - require:\n      - file: /etc/systemd/system/web.service\n";
    const h = host().dir('/etc/systemd/system');
    const r = await run(compileStates(tree), h, true);
    expect(summaries(r)[1]).toEqual(['enable web.service', 'start web.service']);
    expect(r.states[1].comment).toBe('depends on /etc/systemd/system/web.service (pending)');
    expect(h.writes()).toEqual([]);
  });

  it('restarts on watch, reloads when asked and supported, and not after starting it itself', async () => {
    const h = host();
    h.on(['touch'], { exitCode: 0 });
    const tree = (svc: string, extra = '') =>
      compileStates(`conf:\n  cmd.run:\n    - name: [touch, /tmp/x]\n${svc}:\n  service.running:\n${extra}    - watch:\n      - cmd: conf\n`);
    expect(summaries(await run(tree('ssh'), h, true))[1]).toEqual(['restart ssh.service (a watched state changed)']);
    expect(summaries(await run(tree('nginx', '    - reload: true\n'), h, true))[1]).toEqual(['reload nginx.service (a watched state changed)']);
    expect(summaries(await run(tree('ssh', '    - reload: true\n'), h, true))[1]).toEqual(['restart ssh.service (a watched state changed)']);
    expect(summaries(await run(tree('app'), h, true))[1]).toEqual(['start app.service']);

    const applied = await run(tree('nginx', '    - reload: true\n'), h, false);
    expect(results(applied)).toEqual({ conf: 'changed', nginx: 'changed' });
    expect(h.commands().at(-1)).toEqual(['systemctl', 'reload', 'nginx.service']);
  });

  it('includes the unit’s last log lines when it fails to start', async () => {
    const h = host();
    h.on(['systemctl', 'start'], { exitCode: 1, stderr: 'Job for app.service failed because the control process exited with error code.' });
    h.on(['journalctl'], { stdout: 'app: bad config on line 3\n' });
    const r = await run(compileStates('app:\n  service.running: []\n'), h, false);
    expect(r.states[0].result).toBe('failed');
    expect(r.states[0].comment).toContain('last log lines of app.service:\napp: bad config on line 3');
  });

  it('rejects unit names systemctl would read as options', () => {
    expect(() => compileStates('x:\n  service.running:\n    - name: --all\n')).toThrow(/not a systemd unit name/);
    expect(() => compileStates('x:\n  service.enabled:\n    - reload: true\n')).toThrow(/unknown argument/);
  });
});
