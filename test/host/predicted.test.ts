import { describe, expect, it } from 'vitest';
import { UnknownError } from '../../src/core/errors.js';
import { PredictedHost } from '../../src/host/predicted.js';
import { readOnlyView } from '../../src/host/read-only.js';
import { predictUseradd, predictUsermod } from '../../src/resources/accounts/predict.js';
import { readGroups, readPasswd, readShadow } from '../../src/resources/accounts/passwd.js';
import { FakeHost } from '../support/fake-host.js';

const real = () =>
  new FakeHost()
    .file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n')
    .file('/etc/group', 'root:x:0:\nana:x:1000:\nsudo:x:27:ana\n')
    .file('/etc/shadow', 'root:*:1::::::\nana:!:1:0:99999:7:::\n')
    .file('/etc/skel/.profile', 'umask 022\n')
    .file('/etc/app/a.conf', 'a\n')
    .file('/etc/app/b.conf', 'b\n')
    .dir('/home');

describe('the predicted host', () => {
  it('reads predicted files, directories, links and removals over the real host, writing nothing', async () => {
    const h = real();
    const p = new PredictedHost(readOnlyView(h));
    await p.writeFile('/etc/app/a.conf', 'new\n', { mode: 0o600 });
    await p.remove('/etc/app/b.conf');
    await p.mkdir('/srv/x', { parents: true, mode: 0o750 });
    await p.writeFile('/srv/x/f', 'f');
    await p.symlink('/srv/x/f', '/srv/link');
    expect(await p.readFile('/etc/app/a.conf')).toBe('new\n');
    expect(await p.stat('/etc/app/a.conf')).toMatchObject({ type: 'file', mode: 0o600 });
    expect(await p.stat('/etc/app/b.conf')).toBeNull();
    expect(await p.readdir('/etc/app')).toEqual(['a.conf']);
    expect(await p.readdir('/srv/x')).toEqual(['f']);
    expect(await p.stat('/srv/x')).toMatchObject({ type: 'directory', mode: 0o750 });
    expect(await p.readFile('/srv/link')).toBe('f');
    // A removed directory takes what was under it; recreated, it starts empty.
    await p.remove('/etc/app');
    expect(await p.readFile('/etc/app/a.conf')).toBeNull();
    await p.mkdir('/etc/app');
    expect(await p.readdir('/etc/app')).toEqual([]);
    expect(await p.writeFile('/nowhere/x', 'x').catch((e: Error) => e.message)).toBe('/nowhere is not a directory (predicted)');
    expect(h.writes()).toEqual([]);
  });

  it('blocks reads of what a pending package brings, and only that', async () => {
    const p = new PredictedHost(readOnlyView(real().dir('/usr/sbin')));
    p.unknown({ source: 'nginx-light', until: 'is installed', paths: new Set(['/usr/sbin/nginx']), dirs: ['/etc/nginx'] });
    await expect(p.stat('/etc/nginx/sites-enabled/default')).rejects.toThrow(new UnknownError('/etc/nginx/sites-enabled/default', 'nginx-light', 'is installed'));
    await expect(p.readFile('/usr/sbin/nginx')).rejects.toThrow('/usr/sbin/nginx: unknown until nginx-light is installed');
    expect(await p.readFile('/etc/app/a.conf')).toBe('a\n');
    // What the run itself puts there is known.
    await p.writeFile('/usr/sbin/nginx', '#!');
    expect(await p.readFile('/usr/sbin/nginx')).toBe('#!');
    // Without the package's file list, anything not on the host may be its, but never /home or /srv.
    p.unknown({ source: 'mystery', until: 'is installed' });
    await expect(p.stat('/opt/thing')).rejects.toThrow('unknown until mystery is installed');
    expect(await p.stat('/srv/app')).toBeNull();
    expect(await p.stat('/etc/app/b.conf')).toMatchObject({ type: 'file' });
  });

  it('predicts useradd and usermod in passwd, group, shadow and the home, as brine reads them back', async () => {
    const p = new PredictedHost(readOnlyView(real()));
    await predictUseradd(p, { name: 'cy', system: false, group: 'cy', userGroup: true, groups: ['sudo'], home: '/home/cy', createhome: true, shell: '/bin/bash' });
    expect((await readPasswd(p)).find((u) => u.name === 'cy')).toMatchObject({ uid: 1001, gid: 1001, home: '/home/cy', shell: '/bin/bash' });
    expect((await readGroups(p)).find((g) => g.name === 'sudo')?.members).toEqual(['ana', 'cy']);
    expect(await p.stat('/home/cy')).toMatchObject({ type: 'directory', mode: 0o755, uid: 1001, gid: 1001 });
    expect(await p.readFile('/home/cy/.profile')).toBe('umask 022\n');
    await predictUsermod(p, 'ana', { groups: { names: [], append: false }, passwordLocked: true, expire: 1 });
    expect((await readGroups(p)).find((g) => g.name === 'sudo')?.members).toEqual(['cy']);
    expect((await readShadow(p)).find((s) => s.name === 'ana')).toMatchObject({ passwordLocked: true, expire: 1 });
  });
});
