// Each way a real Salt tree used to compile into something else, or fail for syntax alone.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveInclude } from '../../src/compile/load.js';
import { FakeHost } from '../support/fake-host.js';
import { compileProject, compileStates, makeProject, problemsOf, results, run } from '../support/project.js';

const messages = (fn: () => unknown) => problemsOf(fn).map((p) => `${p.line ?? ''} ${p.field ?? ''} ${p.message}`);

describe('shell strings are never split into words', () => {
  it('runs a cmd.run name and its unless through /bin/sh -c, as Salt does', async () => {
    const c = compileStates(`
add-key:
  cmd.run:
    - name: curl -fsS https://example.test/key | gpg --dearmor > /etc/apt/keyrings/x.gpg
    - unless: apt-key list | grep -q 0F1B
`);
    const h = new FakeHost().on(['/bin/sh', '-c', 'apt-key list | grep -q 0F1B'], { exitCode: 1 });
    const r = await run(c, h, true);
    expect(r.states[0]).toMatchObject({ result: 'pending', changes: [{ summary: 'run curl -fsS https://example.test/key | gpg --dearmor > /etc/apt/keyrings/x.gpg' }] });
    expect(h.commands()).toEqual([['/bin/sh', '-c', 'apt-key list | grep -q 0F1B']]);
    h.on(['/bin/sh', '-c', 'apt-key list | grep -q 0F1B'], { exitCode: 0 });
    const skipped = await run(c, h, true);
    expect(skipped.states[0]).toMatchObject({ result: 'ok', changes: [], comment: 'unless condition is true (apt-key list | grep -q 0F1B)' });
    const applying = new FakeHost().on(['/bin/sh', '-c'], { exitCode: 0 }).on(['/bin/sh', '-c', 'apt-key list | grep -q 0F1B'], { exitCode: 1 });
    expect((await run(c, applying, false)).states[0].result).toBe('changed');
    // The check in the whole-run plan (the lockout check's), the check, the command, and the check
    // again when apply re-plans the state.
    expect(applying.commands().map((a) => a[2])).toEqual(['apt-key list | grep -q 0F1B', 'apt-key list | grep -q 0F1B', 'curl -fsS https://example.test/key | gpg --dearmor > /etc/apt/keyrings/x.gpg', 'apt-key list | grep -q 0F1B']);
  });

  it('runs an argv list without a shell, and a string through the shell `shell:` names', () => {
    const c = compileStates(`
a: {cmd.run: {name: [echo, '$HOME && x']}}
b: {cmd.run: {name: 'echo $HOME', shell: /bin/bash}}
`);
    expect(c.specs.get('a|cmd')).toMatchObject({ argv: ['echo', '$HOME && x'] });
    expect(c.specs.get('b|cmd')).toMatchObject({ argv: ['/bin/bash', '-c', 'echo $HOME'] });
  });

  it('refuses shell syntax where no shell runs (check_cmd, check_in_place)', () => {
    expect(messages(() => compileStates(`/etc/x:\n  file.managed:\n    - contents: x\n    - check_cmd: grep -q x && true\n`))).toEqual([
      expect.stringMatching(/^4 check_cmd "&" is shell syntax, and this command runs without a shell: give an argv list/),
    ]);
    expect(messages(() => compileStates(`/etc/x:\n  file.managed:\n    - contents: x\n    - check_in_place: FOO=1 nginx -t\n`))[0]).toMatch(/check_in_place "FOO=" is shell syntax/);
    // Quoted text is literal to a shell and to word splitting alike: accepted, unless a shell would expand it.
    const quoted = compileStates(`/etc/x:\n  file.managed:\n    - contents: x\n    - check_cmd: grep -q "^listen [0-9]*;$"\n`);
    expect(quoted.specs.get('/etc/x|file')).toMatchObject({ checkCmd: ['grep', '-q', '^listen [0-9]*;$'] });
    expect(messages(() => compileStates(`/etc/x:\n  file.managed:\n    - contents: x\n    - check_cmd: grep -q "$HOME"\n`))[0]).toMatch(/check_cmd "\$H" is shell syntax/);
  });

  it('reads a list in unless/onlyif as several commands (Salt), refusing what looks like an argv', async () => {
    const c = compileStates(`a:\n  file.absent:\n    - name: /tmp/a\n    - onlyif:\n      - test -d /tmp\n      - [test, -e, /tmp/a]\n`);
    expect(c.graph.order[0].conditions[0].commands).toEqual([['/bin/sh', '-c', 'test -d /tmp'], ['test', '-e', '/tmp/a']]);
    expect(messages(() => compileStates(`a:\n  file.absent:\n    - name: /tmp/a\n    - unless: [test, -f, /x]\n`))).toEqual([
      expect.stringMatching(/^4 unless a list here is several commands, each run by \/bin\/sh \(as in Salt\), and this one looks like an argv/),
    ]);
  });
});

describe('{{sh value}} quotes a pillar value for a shell string', () => {
  const pillar = { 'app.yaml': `name: "it's # a: test, [x]"\nmulti: "a\\nb"\n` };

  it('inserts one shell word that stays inside the YAML scalar', () => {
    const c = compileStates(`greet:\n  cmd.run:\n    - name: echo {{sh pillar.name}} > /tmp/out\n`, pillar);
    const argv = (c.specs.get('greet|cmd') as { argv: string[] }).argv;
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    // What /bin/sh reads back as one word: the value exactly.
    expect(argv[2]).toBe(`echo 'it'\\''s '\\#' a'\\:' test'\\,' '\\['x'\\]'' > /tmp/out`);
  });

  it('refuses to start a YAML value, and a value with a line break, naming the line', () => {
    expect(messages(() => compileStates(`greet:\n  cmd.run:\n    - name: {{sh pillar.name}}\n`, pillar))).toEqual([expect.stringMatching(/^3  template: sh: \{\{sh …\}\} cannot start a YAML value/)]);
    expect(messages(() => compileStates(`greet:\n  cmd.run:\n    - name: echo {{sh pillar.multi}}\n`, pillar))).toEqual([expect.stringMatching(/^3  template: sh: a value with a line break cannot go into a command in a state file/)]);
  });
});

describe('syntax', () => {
  it('reads the short forms `vim: pkg.installed` and `nginx: {pkg: [installed, {version: …}]}`', () => {
    const c = compileStates(`vim:\n  pkg.installed\nnginx:\n  pkg:\n    - installed\n    - version: 1.22.1-9\n`);
    expect(c.graph.order.map((d) => `${d.kind}.${d.fn} ${d.name}`)).toEqual(['pkg.installed vim', 'pkg.installed nginx']);
    expect(c.specs.get('nginx|pkg')).toMatchObject({ packages: [{ name: 'nginx', version: '1.22.1-9' }] });
  });

  it('expands names on any kind, and refuses names beside name', () => {
    const c = compileStates(`dirs:\n  file.directory:\n    - names: [/srv/a, /srv/b]\n    - mode: 750\n`);
    expect([...c.specs.entries()]).toEqual([
      ['dirs|file|/srv/a', expect.objectContaining({ path: '/srv/a', mode: 0o750 })],
      ['dirs|file|/srv/b', expect.objectContaining({ path: '/srv/b', mode: 0o750 })],
    ]);
    expect(messages(() => compileStates(`dirs:\n  file.directory:\n    - name: /srv/c\n    - names: [/srv/a]\n`))).toEqual([expect.stringMatching(/^4 names give either name or names, not both/)]);
  });

  it('resolves a relative include from a nested init one package deep, as Salt', () => {
    const dir = makeProject({
      'states/a/b/init.yaml': 'include: [.c]\n/tmp/b: {file.absent: {}}\n',
      'states/a/b/c.yaml': '/tmp/c: {file.absent: {}}\n',
      'states/a/c.yaml': '/tmp/wrong: {file.absent: {}}\n',
    });
    expect(compileProject(dir, {}, ['a.b']).sls).toEqual(['a.b', 'a.b.c']);
    expect(resolveInclude('a.b', true, '.c')).toBe('a.b.c');
    expect(resolveInclude('a.b', false, '.c')).toBe('a.c');
    expect(resolveInclude('a.b', false, '..c')).toBe('c');
    expect(resolveInclude('a', false, '..c')).toBeUndefined();
  });

  it('orders by `order`: numbers, then the rest, then last and negative numbers', () => {
    const c = compileStates(`
a: {file.absent: {name: /tmp/a, order: last}}
b: {file.absent: {name: /tmp/b}}
c: {file.absent: {name: /tmp/c, order: 2}}
d: {file.absent: {name: /tmp/d, order: -1}}
e: {file.absent: {name: /tmp/e, order: 1}}
`);
    expect(c.graph.order.map((d) => d.id)).toEqual(['e', 'c', 'b', 'd', 'a']);
  });

  it('runs a state once its requisites have run, never ahead of a ready state written above it', () => {
    // Salt would pull c forward (c, a, b); both keep every requisite, brine keeps file order more.
    const c = compileStates(`
a: {file.absent: {name: /tmp/a, require: [c]}}
b: {file.absent: {name: /tmp/b}}
c: {file.absent: {name: /tmp/c}}
`);
    expect(c.graph.order.map((d) => d.id)).toEqual(['b', 'c', 'a']);
  });

  it('reports a requisite cycle once, however many states wait on it', () => {
    const ps = problemsOf(() => compileStates(`a: {file.absent: {name: /tmp/a, require: [b]}}\nb: {file.absent: {name: /tmp/b, require: [a]}}\nc: {file.absent: {name: /tmp/c, require: [a]}}\n`));
    expect(ps.map((p) => p.message)).toEqual(['requisite cycle: a → b → a']);
  });

  it('refuses extend of a state that is not there', () => {
    expect(messages(() => compileStates(`extend:\n  nginx:\n    service:\n      - watch: [x]\nx: {file.absent: {name: /tmp/x}}\n`))).toEqual([
      expect.stringMatching(/^3  extend: no state 'nginx' with service in the states of this run/),
    ]);
  });
});

describe('source files and Jinja', () => {
  const BINARY = Buffer.from([...Array(300).keys()].map((i) => (i * 7 + (i === 5 ? 123 : 0)) % 256));
  BINARY.write('{{', 40);

  it('copies a source without template as is, byte for byte', async () => {
    const dir = makeProject({ 'states/main.yaml': `/etc/key.gpg:\n  file.managed:\n    - source: salt://key.gpg\n` });
    writeFileSync(`${dir}/states/key.gpg`, BINARY);
    const c = compileProject(dir, {}, ['main']);
    expect((c.specs.get('/etc/key.gpg|file') as { content: Buffer }).content.equals(BINARY)).toBe(true);
    const h = new FakeHost().dir('/etc');
    await run(c, h, false);
    expect(h.fs.get('/etc/key.gpg')).toMatchObject({ data: BINARY });
  });

  it('refuses a source holding Handlebars without template:, and renders it with template: handlebars', () => {
    const files = (template: string) => ({ 'states/main.yaml': `/etc/app.ini:\n  file.managed:\n    - source: salt://app.ini\n${template}`, 'states/app.ini': 'name = {{pillar.name}}\n', 'pillar/top.yaml': "base:\n  '*': [p]\n", 'pillar/p.yaml': 'name: shop\n' });
    expect(problemsOf(() => compileProject(makeProject(files('')), {}, ['main']))[0].message).toMatch(/holds Handlebars .* set `template: handlebars` to render it, or `template: none` to copy it/);
    expect(compileProject(makeProject(files('    - template: handlebars\n')), {}, ['main']).specs.get('/etc/app.ini|file')).toMatchObject({ content: 'name = shop\n' });
    expect(compileProject(makeProject(files('    - template: none\n')), {}, ['main']).specs.get('/etc/app.ini|file')).toMatchObject({ content: Buffer.from('name = {{pillar.name}}\n') });
  });

  it('says once per Jinja file that templates are Handlebars, with the equivalent form', () => {
    const jinja = `{% if salt['pillar.get']('tls') %}\n/etc/ssl/x:\n  file.managed:\n    - contents: {{ pillar['tls']['cert'] }}\n{% endif %}\n{% for u in pillar.users %}\n{{ u }}:\n  user.present\n{% endfor %}\n`;
    const ps = problemsOf(() => compileStates(jinja));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ file: 'states/main.yaml', line: 1 });
    expect(ps[0].message).toMatch(/^this file is Jinja, and brine's templates are Handlebars .*`\{\{ salt\['pillar.get'\]\('app:port', 8000\) \}\}` is `\{\{default pillar.app.port 8000\}\}`/);
    const ifOnly = problemsOf(() => compileStates(`a:\n  file.absent:\n    - name: /x\n{%- if grains.os == 'Debian' %}\n{% endif %}\n`));
    expect(ifOnly.map((p) => `${p.line} ${p.message}`)).toEqual([expect.stringMatching(/^4 .*`\{% if pillar.get\('tls'\) %\} … \{% else %\} … \{% endif %\}` is `\{\{#if pillar.tls\}\} … \{\{else\}\} … \{\{\/if\}\}`/)]);
    expect(messages(() => compileStates(`/etc/x:\n  file.managed:\n    - contents: x\n    - template: jinja\n`))).toEqual([expect.stringMatching(/^4 template brine's templates are Handlebars, not jinja/)]);
    const pillar = problemsOf(() => compileStates('a: {file.absent: {name: /x}}\n', { 'app.yaml': "port: {{ salt['pillar.get']('x', 1) }}\n" }));
    expect(pillar).toEqual([expect.objectContaining({ file: 'pillar/app.yaml', line: 1, message: expect.stringMatching(/^this file is Jinja/) })]);
  });
});

describe('did you mean', () => {
  it('suggests the argument, function or kind meant', () => {
    const out = messages(() =>
      compileStates(`
a:
  file.managed:
    - contents: x
    - requires: [b]
b:
  file.manged: {name: /tmp/b}
c:
  pkgs.installed: []
`),
    );
    expect(out).toEqual([
      expect.stringMatching(/^3 name must be an absolute path/),
      expect.stringMatching(/requires unknown argument for file.managed \(did you mean `require`\?\)$/),
      expect.stringMatching(/unknown function 'file.manged' \(did you mean `file.managed`\?\)/),
      expect.stringMatching(/unknown kind 'pkgs.installed' \(did you mean `pkg.installed`\?\)/),
    ]);
  });
});

describe('listen and cmd.wait', () => {
  it('reads listen_in as a listen of the other state', () => {
    const c = compileStates(`conf: {file.absent: {name: /tmp/c, listen_in: [{cmd: reload}]}}\nreload: {cmd.wait: {name: ['true']}}\n`);
    expect(c.graph.listen).toEqual([{ from: 'conf|file', to: 'reload|cmd', type: 'listen' }]);
    expect(c.graph.incoming.get('reload|cmd')).toEqual([]);
  });

  it('reacts once at the end of the run when a listened-to state changed, in --test and apply', async () => {
    const c = compileStates(`
/srv/conf: {file.managed: {contents: new}}
reload:
  cmd.wait:
    - name: [reload-app]
    - listen:
      - file: /srv/conf
later: {file.managed: {name: /srv/later, contents: x}}
`);
    const h = new FakeHost().dir('/srv').on(['reload-app'], { exitCode: 0 });
    const planned = await run(c, h, true);
    expect(planned.states.map((s) => `${s.id} ${s.function} ${s.result}`)).toEqual(['/srv/conf file.managed pending', 'reload cmd.wait ok', 'later file.managed pending', 'reload cmd.mod_watch pending']);
    expect(h.writes()).toEqual([]);
    const applied = await run(c, h, false);
    expect(applied.states.map((s) => `${s.id} ${s.function} ${s.result}`)).toEqual(['/srv/conf file.managed changed', 'reload cmd.wait ok', 'later file.managed changed', 'reload cmd.mod_watch changed']);
    // After the last state: the listener ran last.
    expect(h.calls.filter((x) => ['exec', 'writeFile'].includes(x.op)).map((x) => (x.op === 'exec' ? (x.args[0] as string[])[0] : x.args[0]))).toEqual(['/srv/conf', '/srv/later', 'reload-app']);
    const again = await run(c, h, false);
    expect(results(again)).toEqual({ '/srv/conf': 'ok', reload: 'ok', later: 'ok' });
  });
});
