// The fingerprint is test-mode truth: it must be stable on an idle host and notice the
// smallest real change (one byte in /etc, a new user, a ufw rule).
import { expect, it } from 'vitest';
import { diffFingerprints, formatDiff, isEmptyDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';

describeHosts('fingerprint', () => {
  const env = useHosts(1, { flavour: 'full' });

  it('is equal for two snapshots of an idle host', async () => {
    const [h] = env.hosts;
    const a = await h.fingerprint();
    await new Promise((r) => setTimeout(r, 1500));
    const b = await h.fingerprint();
    expect(Object.keys(a).length).toBeGreaterThan(500);
    expect(a['/etc/passwd']).toMatch(/^file 0644 root:root sha256:[0-9a-f]{16}$/);
    expect(a['unit-active:ssh.service']).toBe('loaded active running');
    expect(a['unit-enabled:systemd-networkd.service']).toBe('enabled');
    expect(a['dpkg:nginx-light']).toMatch(/ ii $/);
    expect(formatDiff(diffFingerprints(a, b))).toBe('');
  });

  it('notices a one-byte change under /etc and nothing else', async () => {
    const [h] = env.hosts;
    await h.sshOk('printf "0123456789\\n" > /etc/brine-probe.conf');
    const before = await h.fingerprint();
    await h.sshOk('printf "0123456788\\n" > /etc/brine-probe.conf'); // same size, same mtime second
    const d = diffFingerprints(before, await h.fingerprint());
    expect(Object.keys(d.changed)).toEqual(['/etc/brine-probe.conf']);
    expect(d.added).toEqual({});
    expect(d.removed).toEqual({});
  });

  it('notices a mode change, a new user and a ufw rule, and says what changed', async () => {
    const [h] = env.hosts;
    const before = await h.fingerprint();
    await h.sshOk('chmod 600 /etc/brine-probe.conf && useradd -m -s /bin/bash alice && ufw allow 2222/tcp');
    const d = diffFingerprints(before, await h.fingerprint());
    expect(isEmptyDiff(d)).toBe(false);
    expect(d.changed['/etc/brine-probe.conf'].after).toMatch(/^file 0600 root:root /);
    for (const f of ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/ufw/user.rules']) {
      expect(Object.keys(d.changed), formatDiff(d)).toContain(f);
    }
    expect(d.added['/home/alice']).toMatch(/^dir \d{4} alice:alice$/);
    console.log(formatDiff(d));
  });
});
