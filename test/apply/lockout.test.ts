// The whole-run lockout check against a fake host whose `sshd -T` reads the sshd config as
// mounted for it (the predicted files brine passes as candidate/target pairs).
import { describe, expect, it } from 'vitest';
import { runStates } from '../../src/apply/engine.js';
import { registry } from '../../src/resources/index.js';
import { FakeHost } from '../support/fake-host.js';
import { compileStates } from '../support/project.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILvMOrfFt8xQXncjTv3adRDD+NaFrcyjGhkAL7E733ni ana@x';

/** A host where ana logs in with a key and has passwordless sudo, ufw on with 22 allowed. */
function host() {
  const h = new FakeHost()
    .file('/usr/sbin/sshd', '')
    .file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\ndee:x:1001:1001::/home/dee:/bin/bash\n')
    .file('/etc/group', 'root:x:0:\nana:x:1000:\ndee:x:1001:\nsshusers:x:900:ana,dee\n')
    .file('/etc/shadow', 'root:*:1::::::\nana:!:1:0:99999:7:::\ndee:!:1:0:99999:7:::\n')
    .file('/etc/sudoers.d/dee', 'dee ALL=(ALL) NOPASSWD:ALL\n')
    .file('/home/dee/.ssh/authorized_keys', `${KEY}\n`)
    .file('/etc/sudoers', 'root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n')
    .file('/etc/sudoers.d/ana', 'ana ALL=(ALL:ALL) NOPASSWD: ALL\n')
    .file('/home/ana/.ssh/authorized_keys', `${KEY}\n`, { mode: 0o600, uid: 1000, gid: 1000 })
    .file('/etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\n')
    .file('/etc/ssh/sshd_config.d/10-brine.conf', 'PermitRootLogin no\nAllowGroups sshusers\n')
    .file('/usr/sbin/ufw', '')
    .file('/etc/ufw/ufw.conf', 'ENABLED=yes\n')
    .file('/etc/default/ufw', 'IPV6=no\nDEFAULT_INPUT_POLICY="DROP"\n')
    .file('/etc/ufw/user.rules', '### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n')
    .file('/etc/ufw/user6.rules', '');
  h.fs.set('/home/ana/.ssh', { type: 'directory', mode: 0o700, uid: 1000, gid: 1000 });
  // sshd -T: the config files as mounted (candidate over target); the first value of a keyword wins.
  const sshdT = (argv: string[]) => {
    const i = argv.indexOf('brine-lockout');
    const pairs = new Map<string, string>();
    if (i >= 0) for (let j = i + 1; argv[j] !== '--'; j += 2) pairs.set(argv[j + 1], argv[j]);
    const read = (p: string) => {
      const e = h.fs.get(pairs.get(p) ?? p);
      return e?.type === 'file' ? e.data.toString() : '';
    };
    const dropins = [...new Set([...h.fs.keys(), ...pairs.keys()])].filter((k) => k.startsWith('/etc/ssh/sshd_config.d/')).sort();
    const seen = new Map<string, string>();
    for (const line of [...dropins.map(read), read('/etc/ssh/sshd_config')].join('\n').split('\n')) {
      const m = /^(\w+)\s+(.*)$/.exec(line.trim());
      if (m && m[1] !== 'Include' && !seen.has(m[1].toLowerCase())) seen.set(m[1].toLowerCase(), m[2]);
    }
    if (!seen.has('port')) seen.set('port', '22');
    return { stdout: [...seen].map(([k, v]) => `${k} ${v}`).join('\n') + '\n' };
  };
  return h.on(['unshare'], sshdT).on(['/usr/sbin/sshd'], sshdT);
}

async function check(states: string, test = true) {
  const h = host();
  const report = await runStates(compileStates(states), registry, h, { test, env: 'staging', varDir: '/var/lib/brine', loginUser: 'ana' });
  return { h, report };
}

describe('the lockout check over the whole run', () => {
  it('refuses sshd on a port ufw will not let in, in --test and before apply changes anything', async () => {
    const moved = '/etc/ssh/sshd_config.d/05-port.conf:\n  file.managed:\n    - contents: "Port 2222"\n';
    for (const test of [true, false]) {
      const { h, report } = await check(moved, test);
      expect(report.refused).toBe(
        'lockout: sshd would listen on 2222/tcp, which ufw (enabled, incoming denied) would not let in; allow it with a ufw.rule in the same run (the shipped stack: firewall.allow: [2222])',
      );
      expect(h.writes()).toEqual([]);
    }
    // With the rule in the same run, it goes ahead.
    const { report } = await check(`${moved}allow:\n  ufw.rule:\n    - proto: tcp\n    - port: 2222\n`);
    expect(report.refused).toBeUndefined();
  });

  it('refuses an sshd rule, an emptied key file or a locked account that shuts the provisioning user out', async () => {
    const conf = '/etc/ssh/sshd_config.d/10-brine.conf:\n  file.managed:\n    - contents: "PermitRootLogin no\\nAllowGroups nobody"\n';
    expect((await check(conf)).report.refused).toBe('lockout: sshd would refuse ana: AllowGroups nobody (ana is in ana, sshusers), and brine is provisioning as ana');
    const keys = 'k:\n  ssh_auth.manage:\n    - user: ana\n    - ssh_keys: []\n';
    expect((await check(keys)).report.refused).toBe('lockout: ana would have no authorized key, and brine is provisioning as ana');
    const locked = 'ana:\n  user.present:\n    - locked: true\n';
    expect((await check(locked)).report.refused).toBe("lockout: ana's account would be expired (locked), and brine is provisioning as ana");
  });

  it("refuses taking the provisioning user's passwordless sudo, naming who could do it", async () => {
    const { report } = await check('/etc/sudoers.d/ana:\n  file.absent: []\n');
    expect(report.refused).toBe('lockout: ana would lose passwordless sudo, and brine is provisioning as ana: provision as another developer with sudo (-u dee) to make this change');
  });

  it('refuses shutting out another developer with sudo who can log in now', async () => {
    const conf = '/etc/ssh/sshd_config.d/10-brine.conf:\n  file.managed:\n    - contents: "PermitRootLogin no\\nAllowGroups sshusers\\nDenyUsers dee"\n';
    expect((await check(conf)).report.refused).toBe('lockout: sshd would refuse dee: DenyUsers dee');
    // Taking dee's sudo away is not a lockout: that is how access is removed.
    expect((await check('/etc/sudoers.d/dee:\n  file.absent: []\n')).report.refused).toBeUndefined();
  });

  it('lets a run that keeps everyone able to log in go ahead', async () => {
    const { report } = await check('/etc/motd:\n  file.managed:\n    - contents: hello\n');
    expect(report.refused).toBeUndefined();
    expect(report.notes).toBeUndefined();
  });
});
