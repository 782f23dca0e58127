import { describe, expect, it } from 'vitest';
import { compileProject, compileStates, makeProject, problemsOf } from '../support/project.js';

const problems = problemsOf;

describe('state files', () => {
  it('accepts the mapping form, Salt list form and several functions under one ID', () => {
    const c = compileStates(`
nginx:
  cmd.run:
    - name: echo hi
    - cwd: /
  file.directory:
    name: /srv/www
/etc/motd:
  file.managed: {contents: hello}
`);
    const states = c.graph.order.map((d) => [d.id, `${d.kind}.${d.fn}`, d.name]);
    expect(states).toEqual([
      ['nginx', 'cmd.run', 'echo hi'],
      ['nginx', 'file.directory', '/srv/www'],
      ['/etc/motd', 'file.managed', '/etc/motd'],
    ]);
  });

  it('selects files from the top file by env, hostname glob and role, with includes', () => {
    const dir = makeProject({
      'states/top.yaml': `base:\n  '*': [common]\nstaging:\n  'web*': [web]\n  'roles:db': [db]\nproduction:\n  '*': [prod]\n`,
      'states/common.yaml': 'include: [lib.tools]\n/tmp/a: {file.absent: {}}\n',
      'states/lib/tools/init.yaml': '/tmp/b: {file.absent: {}}\n',
      'states/web.yaml': '/tmp/c: {file.absent: {}}\n',
      'states/db.yaml': '/tmp/d: {file.absent: {}}\n',
      'states/prod.yaml': '/tmp/e: {file.absent: {}}\n',
    });
    expect(compileProject(dir).sls).toEqual(['common', 'web', 'lib.tools']);
    expect(compileProject(dir, { roles: ['db'], id: 'x', hostname: 'x', fqdn: 'x' }).sls).toEqual(['common', 'db', 'lib.tools']);
    expect(compileProject(dir, { env: 'production' }).sls).toEqual(['common', 'prod', 'lib.tools']);
  });

  it('merges pillar in top order and marks secrets.yaml values secret', () => {
    const dir = makeProject({
      'states/main.yaml': '/tmp/x:\n  file.managed:\n    contents: "{{pillar.app.name}}:{{pillar.app.port}}"\n',
      'pillar/top.yaml': `base:\n  '*': [project]\nstaging:\n  '*': [staging.env, staging.secrets]\n`,
      'pillar/project.yaml': 'app: {name: shop, port: 80}\n',
      'pillar/staging/env.yaml': 'app: {port: 8080}\n',
      'pillar/staging/secrets.yaml': 'db_password: hunter2-very-secret\n',
      'pillar/production/secrets.yaml': 'db_password: prod-secret\n',
    });
    const c = compileProject(dir, {}, ['main']);
    expect(c.pillar).toEqual({ app: { name: 'shop', port: 8080 }, db_password: 'hunter2-very-secret' });
    expect(c.pillarFiles).toEqual(['pillar/project.yaml', 'pillar/staging/env.yaml', 'pillar/staging/secrets.yaml']);
    expect(c.secrets.mask('pw=hunter2-very-secret')).toBe('pw=********');
    expect(c.secrets.mask('prod-secret')).toBe('prod-secret');
  });

  it('orders by requisites, keeping file order otherwise', () => {
    const c = compileStates(`
a: {cmd.run: {name: 'true', require: [c]}}
b: {cmd.run: {name: 'true'}}
c: {cmd.run: {name: 'true'}}
d: {cmd.run: {name: 'true', require_in: [b]}}
`);
    expect(c.graph.order.map((d) => d.id)).toEqual(['c', 'a', 'd', 'b']);
  });

  it('lists every problem at once with file:line and state id', () => {
    const ps = problems(() =>
      compileStates(`
a:
  file.managed:
    contents: 1
    mode: 999
    bogus: x
b:
  file.manged: {}
c:
  cmd.run:
    name: 'true'
    require: [nowhere]
d:
  pkgx.installed: {}
`),
    );
    const lines = ps.map((p) => `${p.file}:${p.line} ${p.id} ${p.field ?? ''} ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^states\/main.yaml:3 a name must be an absolute path/),
      expect.stringMatching(/^states\/main.yaml:5 a mode expected octal mode/),
      expect.stringMatching(/^states\/main.yaml:6 a bogus unknown argument/),
      expect.stringMatching(/^states\/main.yaml:8 b  unknown function 'file.manged'/),
      expect.stringMatching(/^states\/main.yaml:14 d  unknown kind 'pkgx.installed'/),
      expect.stringMatching(/^states\/main.yaml:12 c require requisite 'nowhere' matches no state/),
    ]);
  });

  it('finds requisite cycles and duplicate IDs', () => {
    const dir = makeProject({
      'states/a.yaml': `x:\n  cmd.run: {name: 'true', watch: [y]}\ny:\n  cmd.run: {name: 'true', require: [{cmd: x}]}\n`,
      'states/b.yaml': `x:\n  cmd.run: {name: 'false'}\n`,
    });
    const msgs = problems(() => compileProject(dir, {}, ['a', 'b'])).map((p) => `${p.file}:${p.line} ${p.message}`);
    expect(msgs).toContainEqual(expect.stringMatching(/^states\/b.yaml:2 duplicate state ID for cmd \(first declared at states\/a.yaml:2\)/));
    expect(msgs).toContainEqual(expect.stringMatching(/requisite cycle: x → y → x|requisite cycle: y → x → y/));
  });

  it('reports malformed YAML with its line', () => {
    const ps = problems(() => compileStates('a:\n  cmd.run:\n    name: [unclosed\n'));
    expect(ps[0]).toMatchObject({ file: 'states/main.yaml' });
    expect(ps[0].line).toBeGreaterThanOrEqual(3);
  });

  it('masks secrets in problems', () => {
    const ps = problems(() =>
      compileStates('a:\n  cmd.run:\n    name: {{yaml pillar.pw}}\n    bogus: {{yaml pillar.pw}}\n', { 'secrets.yaml': 'pw: topsecret-pw\n' }),
    );
    expect(JSON.stringify(ps)).not.toContain('topsecret-pw');
  });
});
