// `brine check`: every environment compiled per host on the controller; problems with file:line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { brine, snapshot } from './support.js';


function project(): string {
  const dir = makeProject({
    'states/top.yaml': "base:\n  '*': [common]\n  'roles:web': [web]\n",
    'states/common.yaml': '/etc/motd:\n  file.managed:\n    contents: "{{pillar.motd}} on {{facts.os.codename}}"\n',
    'states/web.yaml': 'nginx:\n  pkg.installed: []\n',
    'pillar/top.yaml': "base:\n  '*': [common]\nstaging:\n  '*': [staging.env]\nproduction:\n  '*': [production.env]\n",
    'pillar/common.yaml': 'motd: hello\n',
    'pillar/staging/env.yaml': 'hosts:\n  - {address: 192.0.2.1, roles: [web]}\n  - 192.0.2.2\n',
    'pillar/production/env.yaml': 'hosts:\n  - {address: 192.0.2.9, roles: [web]}\n',
  });
  return dir;
}

describe('brine check', () => {
  it('compiles every environment for each host, exit 0, touching nothing', async () => {
    const dir = project();
    const before = snapshot(dir);
    const r = await brine(['check', '--dir', dir]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'production: 192.0.2.9 (web): ok (2 states)',
      'staging: 192.0.2.1 (web): ok (2 states)',
      'staging: 192.0.2.2: ok (1 state)',
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('names file, line and state for a problem, exit 1; --env checks one environment', async () => {
    const dir = project();
    writeFileSync(join(dir, 'states/web.yaml'), 'nginx:\n  pkg.installed:\n    versoin: 1.2\n');
    const r = await brine(['check', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("states/web.yaml:3: state 'nginx', field 'versoin': unknown argument for pkg.installed");
    expect(r.stdout).toContain('staging: 192.0.2.2: ok (1 state)'); // a host without the role is fine
    const one = await brine(['check', '--dir', dir, '--env', 'staging', '--json']);
    const doc = JSON.parse(one.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.results.map((x: { env: string }) => x.env)).toEqual(['staging', 'staging']);
  });

  it('takes facts from --facts, for every host or one', async () => {
    const dir = project();
    writeFileSync(join(dir, 'states/common.yaml'), '{{#if (eq facts.os.codename "trixie")}}\n/etc/motd:\n  file.managed:\n    contents: {{raise "not on trixie yet" facts.id}}\n{{/if}}\n');
    writeFileSync(join(dir, 'facts.yaml'), 'hosts:\n  192.0.2.2:\n    os: {codename: trixie}\n');
    const r = await brine(['check', '--dir', dir, '--env', 'staging', '--facts', join(dir, 'facts.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/staging: 192\.0\.2\.1 \(web\): ok \(1 state\)/);
    expect(r.stdout).toMatch(/staging: 192\.0\.2\.2: 1 problem\(s\)\n\s+states\/common\.yaml:\d+.*not on trixie yet/);
  });

  it('says so when there is no environment, or an unknown one', async () => {
    const dir = makeProject({ 'states/top.yaml': 'base: {}\n' });
    expect((await brine(['check', '--dir', dir])).stderr).toContain('no environments in');
    const r = await brine(['check', '--dir', project(), '--env', 'prod']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no pillar/prod/env.yaml');
  });
});
