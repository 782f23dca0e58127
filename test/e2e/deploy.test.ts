// Deploying the example Django app as releases on a bare Debian host, through brine provision:
// A, then B (a migration, data kept, no failed request during the switch), nothing new (no
// upload, no change), C with a failing health check (switched back, run fails), rollback to A,
// the releases listing, and pruning beyond keep_releases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { AppRepo, requestLoop, site } from './deploy-support.js';
import { brine } from './provision-support.js';
import { makeDev } from './stack-support.js';

describeHosts('deploying the app as releases', () => {
  const env = useHosts(1, { flavour: 'bare' });
  const repo = new AppRepo();
  const keys = mkdtempSync(join(tmpdir(), 'brine-deploy-keys-'));
  afterAll(() => {
    repo.cleanup();
    rmSync(keys, { recursive: true, force: true });
  });

  it('deploys A, B without a failed request, refuses C on its health check, rolls back, lists and prunes releases', async () => {
    const [h] = env.hosts;
    const admin = await makeDev(keys, 'ann');
    repo.write('pillar/devs.yaml', `devs:\n  ann:\n    public_keys: [${JSON.stringify(admin.pub)}]\n    sudo: true\ndevs_absent: []\n`);
    // The stack shuts root out of SSH; the env's sshd.settings keep the harness (root) in.
    const sshd = 'sshd:\n  settings: {PermitRootLogin: prohibit-password, AllowGroups: sshusers root}\n';
    // The request loop below is one client asking as fast as it can: lift the site's per-client
    // rate limit (states/nginx), which would otherwise answer it 503 by design.
    const nginx = 'nginx:\n  rate: 2000r/s\n  burst: 4000\n';
    repo.write('pillar/staging/env.yaml', `environment: staging\ndomain: staging.brine.test\nhosts:\n  - {address: ${h.address}, roles: [web]}\n${sshd}${nginx}`);
    repo.edit('pillar/project.yaml', 'keep_releases: 5', 'keep_releases: 2');
    repo.edit('example/hello/version.py', /VERSION = ".*"/, 'VERSION = "A"');
    const a = await repo.commit('A');
    const provision = (...args: string[]) => brine(['provision', 'staging', '--dir', repo.dir, '-F', h.sshConfigFile, ...args]);
    // After the first run, as the developer with sudo the stack made, as a team would.
    const asAdmin = ['-u', 'ann', '-i', admin.key];

    // Uncommitted app changes are refused before any host is touched.
    repo.edit('example/hello/views.py', '"hello": "world"', '"hello": "dirty"');
    const dirty = await provision('-u', 'root');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toMatch(/uncommitted changes in example \(example\/hello\/views.py\): commit them, or deploy them anyway with --allow-dirty/);
    await repo.git('checkout', '--', 'example');

    // A: the first provision (as root on a fresh server) builds the whole stack and deploys A.
    const first = await provision('-u', 'root', '--json');
    const firstDoc = JSON.parse(first.stdout);
    expect(first.code, first.stderr + first.stdout.slice(-4000)).toBe(0);
    expect(firstDoc.hosts[0].release).toEqual({ id: a, uploaded: true, rollback: false });
    console.log(`deploy: first provision (stack + release A) ${first.ms} ms`);
    expect(JSON.parse((await site(h.address, '/')).body)).toMatchObject({ hello: 'world', version: 'A', release: a, environment: 'staging', scheme: 'https' });
    expect((await site(h.address, '/static/hello.txt')).body).toContain('static files are served by nginx');
    expect(await site(h.address, '/notes', { text: 'written under A' })).toMatchObject({ status: 200 });
    const owner = await h.sshOk(['stat', '-c', '%U:%G %a', '/srv/hello/releases', `/srv/hello/releases/${a}`, `/srv/hello/releases/${a}/manage.py`, `/srv/hello/releases/${a}/static/hello.txt`, '/var/lib/hello', '/var/lib/hello/media']);
    expect(owner.trim().split('\n')).toEqual(['root:root 755', 'root:root 755', 'root:root 755', 'root:root 644', 'hello:hello 750', 'hello:hello 750']);

    // B: a migration and a code change. --test first: shows the release, changes nothing.
    repo.edit('example/hello/version.py', /VERSION = ".*"/, 'VERSION = "B"');
    repo.edit('example/hello/models.py', '    created = models.DateTimeField(auto_now_add=True)', '    created = models.DateTimeField(auto_now_add=True)\n    tag = models.CharField(max_length=20, default="kept")');
    repo.write('example/hello/migrations/0002_note_tag.py', [
      'from django.db import migrations, models',
      '',
      'class Migration(migrations.Migration):',
      '    dependencies = [("hello", "0001_initial")]',
      '    operations = [migrations.AddField(model_name="note", name="tag", field=models.CharField(default="kept", max_length=20))]',
      '',
    ].join('\n'));
    repo.edit('example/hello/views.py', '[{"text": n.text} for n', '[{"text": n.text, "tag": n.tag} for n');
    const b = await repo.commit('B');
    const before = await h.sshOk(['ls', '-A', '/srv/hello/releases']);
    const dry = await provision(...asAdmin, '--test');
    expect(dry.code, dry.stdout).toBe(2);
    expect(dry.stdout).toContain(`unpack release ${b} (HEAD `);
    expect(dry.stdout).toMatch(new RegExp(`against ${a}: 3 changed, 1 added, 0 removed\\)`));
    expect(dry.stdout).toContain('run hook: manage.py migrate --noinput');
    expect(dry.stdout).toContain('run hook: manage.py collectstatic --noinput');
    expect(dry.stdout).toContain(`switch current ${a} → ${b}, reload (or start) hello, health check /healthz`);
    expect(dry.stdout).toMatch(/virtualenv \/srv\/hello\/venvs\/\w+ reused/);
    expect(await h.sshOk(['ls', '-A', '/srv/hello/releases'])).toBe(before);
    expect(JSON.parse((await site(h.address, '/')).body).version).toBe('A');

    // The deploy of B, with requests going on all the while: not one may fail.
    const loop = requestLoop(h.address);
    await new Promise((r) => setTimeout(r, 500));
    const second = await provision(...asAdmin);
    await new Promise((r) => setTimeout(r, 1000));
    const seen = await loop.stop();
    expect(second.code, second.stdout).toBe(0);
    console.log(`deploy: B ${second.ms} ms; ${seen.requests} requests during it (${JSON.stringify(seen.versions)}), ${seen.failures.length} failed`);
    expect(seen.failures).toEqual([]);
    expect(seen.versions.A).toBeGreaterThan(0);
    expect(seen.versions.B).toBeGreaterThan(0);
    expect(JSON.parse((await site(h.address, '/')).body)).toMatchObject({ version: 'B', release: b });
    // The migration ran, and what was written under A is still there.
    expect(JSON.parse((await site(h.address, '/notes')).body)).toEqual({ notes: [{ text: 'written under A', tag: 'kept' }] });

    // Nothing new: no upload, no change.
    const same = await provision(...asAdmin, '--json');
    expect(same.code, same.stdout.slice(-3000)).toBe(0);
    const sameDoc = JSON.parse(same.stdout);
    expect(sameDoc.hosts[0].release).toEqual({ id: b, uploaded: false, rollback: false });
    expect(sameDoc.hosts[0].report.summary.changed).toBe(0);

    // C: /healthz fails. Switched back to B, the run fails with the check's output.
    repo.edit('example/hello/views.py', '    Note.objects.exists()\n    return JsonResponse({"ok": True})', '    return JsonResponse({"ok": False}, status=500)');
    repo.edit('example/hello/version.py', /VERSION = ".*"/, 'VERSION = "C"');
    const c = await repo.commit('C');
    const third = await provision(...asAdmin);
    expect(third.code, third.stdout).toBe(1);
    expect(third.stdout).toContain(`health check /healthz failed on release ${c}; switched back to ${b}:`);
    expect(third.stdout).toContain('500 Internal Server Error');
    expect(JSON.parse((await site(h.address, '/')).body)).toMatchObject({ version: 'B', release: b });

    // Rollback: to the previous release, A.
    const rollback = await brine(['rollback', 'staging', '--dir', repo.dir, '-F', h.sshConfigFile, ...asAdmin]);
    expect(rollback.code, rollback.stdout).toBe(0);
    expect(rollback.stdout).toContain(`switch current ${b} → ${a} (rollback)`);
    expect(JSON.parse((await site(h.address, '/')).body)).toMatchObject({ version: 'A', release: a });
    const listed = await brine(['releases', 'staging', '--dir', repo.dir, '-F', h.sshConfigFile, ...asAdmin]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^\\* current +${a} +rolled back to \\S+ by \\S+`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^ {2}previous ${b} +deployed \\S+ by \\S+`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^ +${c} +failed its health check \\S+ by \\S+`, 'm'));
    const history = await brine(['history', 'staging', '-n', '1', '--dir', repo.dir, '-F', h.sshConfigFile, ...asAdmin]);
    expect(history.stdout).toContain(`changed hello-release (release.deployed): switch current ${b} → ${a} (rollback)`);

    // D fixes the check: deployed from A (previous now), and with keep_releases 2 B goes.
    repo.edit('example/hello/views.py', '    return JsonResponse({"ok": False}, status=500)', '    Note.objects.exists()\n    return JsonResponse({"ok": True})');
    repo.edit('example/hello/version.py', /VERSION = ".*"/, 'VERSION = "D"');
    const d = await repo.commit('D');
    const fourth = await provision(...asAdmin);
    expect(fourth.code, fourth.stdout).toBe(0);
    expect(fourth.stdout).toContain(`prune releases ${b} (keep_releases: 2)`);
    expect(JSON.parse((await site(h.address, '/')).body)).toMatchObject({ version: 'D', release: d });
    expect((await h.sshOk(['ls', '/srv/hello/releases'])).trim().split('\n').sort()).toEqual([a, c, d].sort());
    expect(await h.sshOk(['readlink', '/srv/hello/current', '/srv/hello/previous'])).toBe(`releases/${d}\nreleases/${a}\n`);
  }, 900_000);
});
