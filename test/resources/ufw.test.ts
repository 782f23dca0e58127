// ufw.rule / default / enabled planned from ufw's files, and the SSH lockout guard.
import { describe, expect, it } from 'vitest';
import { compileStates, results, run } from '../support/project.js';
import { fixture, SystemHost } from './system-host.js';

const EMPTY_RULES = '*filter\n### RULES ###\n\n### END RULES ###\nCOMMIT\n';

function host(opts: { rules?: string; rules6?: string; enabled?: boolean; sshd?: string } = {}) {
  return new SystemHost()
    .file('/usr/sbin/ufw', '#!/usr/bin/python3\n', { mode: 0o755 })
    .file('/etc/ufw/ufw.conf', `ENABLED=${opts.enabled ? 'yes' : 'no'}\nLOGLEVEL=low\n`)
    .file('/etc/default/ufw', fixture('ufw-default'))
    .file('/etc/ufw/user.rules', opts.rules ?? EMPTY_RULES)
    .file('/etc/ufw/user6.rules', opts.rules6 ?? EMPTY_RULES)
    .file('/etc/ssh/sshd_config', opts.sshd ?? 'Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n')
    .dir('/etc/ssh/sshd_config.d');
}

const withFixtureRules = () => host({ rules: fixture('ufw-user.rules'), rules6: fixture('ufw-user6.rules') });
const summaries = (r: Awaited<ReturnType<typeof run>>) => r.states.map((s) => s.changes.map((c) => c.summary));
const SSH_RULE = 'ssh:\n  ufw.rule:\n    - proto: tcp\n    - port: 22\n';

describe('ufw.rule', () => {
  it('finds rules in both families without running anything', async () => {
    const h = withFixtureRules();
    const c = compileStates(`${SSH_RULE}web:\n  ufw.rule:\n    - proto: tcp\n    - port: "443,80"\n    - comment: web ports\nx11:\n  ufw.rule:\n    - action: limit\n    - proto: tcp\n    - port: 6000-6007\n    - from: 10.0.0.7/8\n`);
    const r = await run(c, h, true);
    expect(results(r)).toEqual({ ssh: 'ok', web: 'ok', x11: 'ok' });
    expect(r.states[0].comment).toBe('present: allow 22/tcp from any');
    expect(h.commands()).toEqual([]);
    expect(h.writes()).toEqual([]);
  });

  it('adds a missing rule with one ufw command', async () => {
    const h = host();
    const r = await run(compileStates(SSH_RULE), h, true);
    expect(summaries(r)).toEqual([['add rule: allow 22/tcp from any']]);
    h.on(['ufw'], () => {
      h.file('/etc/ufw/user.rules', fixture('ufw-user.rules')).file('/etc/ufw/user6.rules', fixture('ufw-user6.rules'));
      return { exitCode: 0, stdout: 'Rules updated\nRules updated (v6)\n' };
    });
    expect(results(await run(compileStates(SSH_RULE), h, false))).toEqual({ ssh: 'changed' });
    expect(h.commands()).toEqual([['ufw', 'allow', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', '22']]);
  });

  it('sees a rule missing in one family, a changed action and a changed comment', async () => {
    const h = host({ rules: fixture('ufw-user.rules'), rules6: fixture('ufw-user6.rules').replace(/^### tuple ### allow tcp 22 .*$/m, '') });
    const r = await run(
      compileStates(`${SSH_RULE}web:\n  ufw.rule:\n    - action: deny\n    - proto: tcp\n    - port: 80,443\nx11:\n  ufw.rule:\n    - action: limit\n    - proto: tcp\n    - port: "6000:6007"\n    - from: 10.0.0.0/8\n    - comment: X\n`),
      h,
      true,
    );
    expect(summaries(r)).toEqual([
      ['add rule: allow 22/tcp from any (IPv6 only missing)'],
      ['update rule: deny 80,443/tcp from any (was allow)'],
      ['update rule: limit 6000:6007/tcp from 10.0.0.0/8 (X) (was limit, other comment)'],
    ]);
  });

  it('checks its arguments at compile time', () => {
    expect(() => compileStates('x:\n  ufw.rule:\n    - port: 80,443\n')).toThrow(/needs proto tcp or udp/);
    expect(() => compileStates('x:\n  ufw.rule:\n    - port: 70000\n')).toThrow(/expected a port/);
    expect(() => compileStates('x:\n  ufw.rule:\n    - from: 10.0.0.300\n')).toThrow(/expected "any", an address/);
    expect(() => compileStates('x:\n  ufw.rule:\n    - from: 10.0.0.1\n    - to: "::1"\n')).toThrow(/both be IPv4/);
  });

  it('says ufw is missing as something an earlier state may install', async () => {
    const h = new SystemHost();
    const r = await run(compileStates(SSH_RULE), h, true);
    expect(r.states[0]).toMatchObject({ result: 'failed', comment: 'ufw is not installed' });
  });
});

describe('ufw.default', () => {
  it('changes only the directions that differ', async () => {
    const h = host();
    const r = await run(compileStates('d:\n  ufw.default:\n    - incoming: deny\n    - outgoing: reject\n'), h, true);
    expect(summaries(r)).toEqual([['default outgoing: allow → reject']]);
    h.on(['ufw'], { exitCode: 0 });
    await run(compileStates('d:\n  ufw.default:\n    - incoming: deny\n    - routed: allow\n'), h, false);
    expect(h.commands()).toEqual([['ufw', 'default', 'allow', 'routed']]);
  });

  it('refuses to deny incoming traffic on a running firewall without an SSH rule', async () => {
    const h = host({ enabled: true }).file('/etc/default/ufw', fixture('ufw-default').replace('DEFAULT_INPUT_POLICY="DROP"', 'DEFAULT_INPUT_POLICY="ACCEPT"'));
    const r = await run(compileStates('d:\n  ufw.default:\n    - incoming: deny\n'), h, true);
    expect(r.states[0].result).toBe('failed');
    expect(r.states[0].comment).toMatch(/^refusing to set the incoming default to deny: no ufw rule allows SSH/);
  });
});

describe('ufw.enabled and the SSH lockout guard', () => {
  it('refuses to enable without a rule for SSH, in --test and apply, and runs nothing', async () => {
    for (const test of [true, false]) {
      const h = host();
      const r = await run(compileStates('fw:\n  ufw.enabled: []\n'), h, test);
      expect(r.states[0].result).toBe('failed');
      expect(r.states[0].comment).toBe(
        'refusing to enable ufw: no ufw rule allows SSH (sshd listens on 22/tcp) and incoming traffic would be denied, which would lock you out. ' +
          'Add a ufw.rule before it, e.g. "action: allow, proto: tcp, port: 22".',
      );
      expect(h.commands()).toEqual([]);
      expect(h.writes()).toEqual([]);
    }
  });

  it('in --test, counts the rule an earlier state would add', async () => {
    const h = host();
    const r = await run(compileStates(`${SSH_RULE}fw:\n  ufw.enabled: []\n`), h, true);
    expect(results(r)).toEqual({ ssh: 'pending', fw: 'pending' });
    expect(summaries(r)).toEqual([['add rule: allow 22/tcp from any'], ['enable ufw']]);
  });

  it('enables once the rule is stored, and checks ufw’s files again right before', async () => {
    const h = host();
    h.on(['ufw', 'allow'], () => {
      h.file('/etc/ufw/user.rules', fixture('ufw-user.rules')).file('/etc/ufw/user6.rules', fixture('ufw-user6.rules'));
      return { exitCode: 0 };
    });
    h.on(['ufw', '--force', 'enable'], () => {
      h.file('/etc/ufw/ufw.conf', 'ENABLED=yes\n');
      return { exitCode: 0 };
    });
    const r = await run(compileStates(`${SSH_RULE}fw:\n  ufw.enabled: []\n`), h, false);
    expect(results(r)).toEqual({ ssh: 'changed', fw: 'changed' });
    expect(h.commands().at(-1)).toEqual(['ufw', '--force', 'enable']);
  });

  it('does not enable when the rule state failed, though the rule was declared', async () => {
    const h = host();
    h.on(['ufw', 'allow'], { exitCode: 1, stderr: 'ERROR: problem running iptables' });
    const r = await run(compileStates(`${SSH_RULE}fw:\n  ufw.enabled: []\n`), h, false);
    expect(results(r)).toEqual({ ssh: 'failed', fw: 'failed' });
    expect(r.states[1].comment).toMatch(/^refusing to enable ufw/);
    expect(h.commands().map((c) => c.slice(0, 2).join(' '))).toEqual(['ufw allow']);
  });

  it('wants every port sshd listens on, from sshd_config and sshd_config.d', async () => {
    const h = host().file('/etc/ssh/sshd_config.d/port.conf', 'Port 2222\nPort 22\n');
    const r = await run(compileStates(`${SSH_RULE}fw:\n  ufw.enabled: []\n`), h, true);
    expect(r.states[1].result).toBe('failed');
    expect(r.states[1].comment).toMatch(/sshd listens on 2222\/tcp\)/);
    const limited = host({ sshd: 'Port 2222\n' });
    const ok = await run(compileStates('ssh:\n  ufw.rule:\n    - action: limit\n    - proto: tcp\n    - port: 2222\nfw:\n  ufw.enabled: []\n'), limited, true);
    expect(results(ok)).toEqual({ ssh: 'pending', fw: 'pending' });
  });

  it('needs no rule when incoming traffic stays allowed, and is a no-op when enabled', async () => {
    const open = host().file('/etc/default/ufw', 'IPV6=yes\nDEFAULT_INPUT_POLICY="ACCEPT"\n');
    expect(results(await run(compileStates('fw:\n  ufw.enabled: []\n'), open, true))).toEqual({ fw: 'pending' });
    const on = host({ enabled: true });
    const r = await run(compileStates('fw:\n  ufw.enabled: []\n'), on, true);
    expect(r.states[0]).toMatchObject({ result: 'ok', comment: 'ufw is enabled' });
    expect(on.commands()).toEqual([]);
  });
});

describe('ufw.rule updates', () => {
  it('keeps the stored comment when only the action changes', async () => {
    const h = withFixtureRules();
    h.on(['ufw'], { exitCode: 0 });
    await run(compileStates('web:\n  ufw.rule:\n    - action: deny\n    - proto: tcp\n    - port: 80,443\n'), h, false);
    expect(h.commands()[0]).toEqual(['ufw', 'deny', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', '80,443', 'comment', 'web ports']);
  });
});

describe('ufw before it is installed', () => {
  const tree = (rule: string) =>
    compileStates(`ufw:\n  pkg.installed: []\n${rule}fw:\n  ufw.enabled:\n    - require:\n      - pkg: ufw\n`);
  const fresh = () =>
    new SystemHost()
      .file('/var/lib/dpkg/status', '')
      .aptLists()
      .aptPolicy({ ufw: ['0.36.2-1'] })
      // Its postinst copies the rules and ufw.conf from templates: unknown until it has run.
      .debs({ ufw: ['0.36.2-1', ['/etc/', '/etc/default/', '/etc/default/ufw', '/etc/ufw/', '/etc/ufw/sysctl.conf', '/usr/', '/usr/sbin/', '/usr/sbin/ufw'], 'for f in user.rules user6.rules; do cp $T/$f /etc/ufw/$f; done\ncp $T/ufw.conf /etc/ufw\n'] })
      .file('/etc/ssh/sshd_config', 'Port 22\n')
      .dir('/etc/default');

  it('still guards SSH in --test when a pkg state would install ufw', async () => {
    const r = await run(tree(''), fresh(), true);
    expect(results(r)).toEqual({ ufw: 'pending', fw: 'failed' });
    expect(r.states[1].comment).toMatch(/^refusing to enable ufw/);
  });

  it('is pending until ufw is installed, saying so, with no guessed changes', async () => {
    const r = await run(tree(SSH_RULE.replace('    - port: 22\n', '    - port: 22\n    - require:\n      - pkg: ufw\n')), fresh(), true);
    expect(results(r)).toEqual({ ufw: 'pending', ssh: 'pending', fw: 'pending' });
    expect(summaries(r)).toEqual([['install ufw 0.36.2-1'], [], []]);
    // What its postinst makes is unknown: without debconf's answers, even what it copies from templates.
    expect(r.states[1].comment).toBe('depends on ufw (pending); /etc/ufw/ufw.conf: unknown until ufw is installed');
    expect(r.states[2].comment).toBe('depends on ufw (pending); /etc/ufw/ufw.conf: unknown until ufw is installed');
  });

  it('predicts a fresh install from the templates its postinst copies, when debconf holds no answers for it', async () => {
    const h = fresh()
      .debs(
        { ufw: ['0.36.2-1', ['/etc/', '/etc/ufw/', '/usr/', '/usr/sbin/', '/usr/sbin/ufw', '/usr/share/', '/usr/share/ufw/', '/usr/share/ufw/ufw.conf', '/usr/share/ufw/iptables/', '/usr/share/ufw/iptables/user.rules', '/usr/share/ufw/iptables/user6.rules'], 'cp $T/ufw.conf /etc/ufw\nfor f in user.rules user6.rules; do cp $T/iptables/$f /etc/ufw/$f; done\n'] },
        { '/usr/share/ufw/ufw.conf': 'ENABLED=no\n', '/usr/share/ufw/iptables/user.rules': '*filter\nCOMMIT\n', '/usr/share/ufw/iptables/user6.rules': '*filter\nCOMMIT\n' },
      )
      .file('/etc/default/ufw', 'IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\n')
      .file('/var/cache/debconf/config.dat', 'Name: debconf/frontend\nTemplate: debconf/frontend\nValue: Noninteractive\n');
    const r = await run(tree(SSH_RULE.replace('    - port: 22\n', '    - port: 22\n    - require:\n      - pkg: ufw\n')), h, true);
    expect(summaries(r)).toEqual([['install ufw 0.36.2-1'], ['add rule: allow 22/tcp from any'], ['enable ufw']]);
    expect(h.writes()).toEqual([]);
    // An answer for ufw (a preseed) may change what its postinst does: unknown again.
    h.file('/var/cache/debconf/config.dat', 'Name: ufw/enable\nValue: true\n');
    expect(summaries(await run(tree(SSH_RULE.replace('    - port: 22\n', '    - port: 22\n    - require:\n      - pkg: ufw\n')), h, true))).toEqual([['install ufw 0.36.2-1'], [], []]);
  });
});
