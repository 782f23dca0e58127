// pkg, service and ufw on real Debian test hosts: a fresh server converges, --test changes
// nothing, a second apply changes nothing, and enabling ufw never cuts off SSH.
import { beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/apply/report-types.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { apply, deploy, dryRun } from './project-support.js';

const byId = (r: Report) => Object.fromEntries(r.states.map((s) => [s.id, s]));
const summaries = (r: Report) => Object.fromEntries(r.states.map((s) => [s.id, s.changes.map((c) => c.summary)]));

const UNIT = (sleep: string) => `[Unit]\nDescription=brine e2e unit\n[Service]\nExecStart=/bin/sleep ${sleep}\n[Install]\nWantedBy=multi-user.target\n`;

/** A web host's system layer: packages (offline from the bare image's cache), services, firewall. */
function webTree(sleep = 'infinity'): Record<string, string> {
  return {
    'states/top.yaml': "base:\n  '*': [system]\n",
    'states/system.yaml': `
web-packages:
  pkg.installed:
    - pkgs: [nginx-light, ufw]
    # test hosts have no internet: never let apt-get update try
    - refresh: false
hello-unit:
  file.managed:
    - name: /etc/systemd/system/brine-hello.service
    - contents: ${JSON.stringify(UNIT(sleep))}
hello:
  service.running:
    - name: brine-hello
    - enable: true
    - watch:
      - file: hello-unit
nginx:
  service.running:
    - enable: true
    - reload: true
    - require:
      - pkg: web-packages
ssh:
  ufw.rule:
    - proto: tcp
    - port: 22
    - require:
      - pkg: web-packages
http:
  ufw.rule:
    - proto: tcp
    - port: 80
    - comment: web
    - require:
      - pkg: web-packages
defaults:
  ufw.default:
    - incoming: deny
    - outgoing: allow
    - require:
      - pkg: web-packages
firewall:
  ufw.enabled:
    - require:
      - ufw: ssh
`,
  };
}

describeHosts('pkg, service and ufw converge a fresh server', () => {
  const env = useHosts(1, { flavour: 'bare' });

  beforeAll(async () => {
    // What bootstrap does before brine can run (node, and rsync to copy it), from the image's
    // pre-downloaded packages.
    await env.hosts[0].sshOk(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'nodejs', 'rsync'], { timeout: 300_000 });
    await deploy(env.hosts[0], webTree());
  }, 600_000);

  it('--test lists each change, exits 2 and leaves the host as it was', async () => {
    const [h] = env.hosts;
    const { code, report } = await dryRun(h);
    expect(code, JSON.stringify(report.states, null, 2)).toBe(2);
    const s = summaries(report);
    expect(s['web-packages']).toEqual([expect.stringMatching(/^install nginx-light \S+, ufw 0\.36\.2-1$/)]);
    expect(s['hello']).toEqual(['enable brine-hello.service', 'start brine-hello.service']);
    // Whether nginx's own postinst starts it is unknown until it is installed: pending with that
    // reason, and no guessed changes. ufw's fresh install is its templates: its rule and enabling
    // are predicted.
    expect(s['nginx']).toEqual([]);
    expect(byId(report)['nginx'].comment).toMatch(/: unknown until nginx-common is installed$/);
    expect(s['ssh']).toEqual([expect.stringMatching(/^add rule: allow 22\/tcp/)]);
    expect(s['firewall']).toEqual(['enable ufw']);
    // A fresh ufw already denies incoming traffic (its /etc/default/ufw): nothing to change there.
    expect(report.states.filter((st) => st.result !== 'pending').map((st) => `${st.id}: ${st.result} (${st.comment})`)).toEqual([
      'defaults: ok (depends on web-packages (pending); incoming deny, outgoing allow)',
    ]);
  });

  it('apply converges; nginx answers through the firewall; the second apply changes nothing', async () => {
    const [h] = env.hosts;
    const first = await apply(h);
    expect(first.code, JSON.stringify(first.report.states, null, 2)).toBe(0);
    expect(first.report.summary.failed).toBe(0);
    expect(await h.sshOk(['systemctl', 'is-active', 'nginx', 'brine-hello'])).toBe('active\nactive\n');
    expect(await h.sshOk(['systemctl', 'is-enabled', 'brine-hello'])).toBe('enabled\n');
    const status = await h.sshOk(['ufw', 'status']);
    expect(status).toMatch(/Status: active/);
    expect(status).toMatch(/22\/tcp +ALLOW/);
    expect(status).toMatch(/80\/tcp +ALLOW.*# web/);
    const page = await fetch(`http://${h.address}/`, { signal: AbortSignal.timeout(5000) });
    expect(page.status).toBe(200);

    const second = await apply(h);
    expect(second.code).toBe(0);
    expect(second.report.summary.changed, JSON.stringify(second.report.states.filter((st) => st.changes.length), null, 2)).toBe(0);
    // SSH still answers on a new connection with the firewall up.
    expect(await h.sshOk(['true'])).toBe('');
  });

  it('a changed unit file gets one daemon-reload, then the watching service restarts', async () => {
    const [h] = env.hosts;
    const pid = await h.sshOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'brine-hello']);
    await deploy(h, webTree('999999'));
    const { code, report } = await apply(h);
    expect(code).toBe(0);
    expect(byId(report)['hello'].changes.map((c) => c.summary)).toEqual([
      'systemctl daemon-reload (brine-hello.service changed on disk)',
      'restart brine-hello.service (a watched state changed)',
    ]);
    expect(await h.sshOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'brine-hello'])).not.toBe(pid);
    expect(await h.sshOk(['systemctl', 'show', '-p', 'NeedDaemonReload', '--value', 'brine-hello'])).toBe('no\n');
  });
});

describeHosts('ufw.enabled never cuts off SSH', () => {
  const env = useHosts(1, { flavour: 'full' });
  const tree = (rule: string) => ({
    'states/top.yaml': "base:\n  '*': [firewall]\n",
    'states/firewall.yaml': `${rule}firewall:\n  ufw.enabled: []\n`,
  });

  it('refuses without an SSH rule, in --test and apply, and the host stays reachable', async () => {
    const [h] = env.hosts;
    await deploy(h, tree(''));
    for (const flags of [['--test'], []]) {
      const { code, report } = await apply(h, ...flags);
      expect(code).toBe(1);
      expect(byId(report)['firewall']).toMatchObject({ result: 'failed', comment: expect.stringMatching(/^refusing to enable ufw: no ufw rule allows SSH \(sshd listens on 22\/tcp\)/) });
    }
    expect(await h.sshOk(['grep', '^ENABLED=', '/etc/ufw/ufw.conf'])).toBe('ENABLED=no\n');
    expect(await h.sshOk(['true'])).toBe('');
  });

  it('enables with the rule, and SSH still works', async () => {
    const [h] = env.hosts;
    // allow, not limit: limit rejects a 6th new connection within 30 s, and tests connect often.
    await deploy(h, tree('allow-ssh:\n  ufw.rule:\n    - proto: tcp\n    - port: 22\n'));
    const { code, report } = await apply(h);
    expect(code, JSON.stringify(report.states, null, 2)).toBe(0);
    expect(summaries(report)).toEqual({ 'allow-ssh': ['add rule: allow 22/tcp from any'], firewall: ['enable ufw'] });
    expect(await h.sshOk(['ufw', 'status'])).toMatch(/Status: active[\s\S]*22\/tcp +ALLOW/);
    expect(await h.sshOk(['true'])).toBe('');
    expect((await apply(h)).report.summary.changed).toBe(0);
  });
});
