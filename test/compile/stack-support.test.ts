// What the shipped stack needs from the compiler: optional top entries (Salt's ignore_missing),
// the `secrets` context, and the helpers raise, keys_where and envfile.
import { describe, expect, it } from 'vitest';
import { render } from '../../src/compile/render.js';
import { SpecError } from '../../src/core/errors.js';
import { compileProject, makeProject, problemsOf } from '../support/project.js';

const problems = problemsOf;

describe('top files: ignore_missing', () => {
  const project = (extra: Record<string, string> = {}) =>
    makeProject({
      'states/top.yaml': `base:\n  '*':\n    - main\n    - later\n    - ignore_missing: true\n`,
      'states/main.yaml': '/tmp/x:\n  file.managed:\n    contents: {{yaml pillar.word}}\n',
      'pillar/top.yaml': `base:\n  '*': [common]\nstaging:\n  '*':\n    - staging.secrets\n    - ignore_missing: true\nproduction:\n  '*': [production.secrets]\n`,
      'pillar/common.yaml': 'word: hello\n',
      ...extra,
    });

  it('skips a missing pillar or state file only where the target says so', () => {
    const c = compileProject(project());
    expect(c.pillarFiles).toEqual(['pillar/common.yaml']);
    expect(c.sls).toEqual(['main']);
    const ps = problems(() => compileProject(project(), { env: 'production' }));
    expect(ps.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([expect.stringMatching(/^pillar\/top.yaml:8 pillar 'production.secrets' not found/)]);
  });

  it('loads the file when it is there', () => {
    const c = compileProject(project({ 'pillar/staging/secrets.yaml': 'word: s3cret-word\n' }));
    expect(c.pillarFiles).toEqual(['pillar/common.yaml', 'pillar/staging/secrets.yaml']);
    expect(c.secrets.mask('s3cret-word')).toBe('********');
  });

  it('accepts only one flag item, and only ignore_missing', () => {
    const dir = makeProject({ 'states/top.yaml': `base:\n  '*':\n    - main\n    - {ignore_missing: true, other: 1}\n`, 'states/main.yaml': '' });
    expect(problems(() => compileProject(dir))[0].message).toMatch(/must list names \(and at most one `ignore_missing: true`\)/);
  });
});

describe('requisites on a state file that failed to load', () => {
  it('are not reported again as matching no state', () => {
    const dir = makeProject({
      'states/a.yaml': 'include: [b]\n/tmp/a:\n  file.absent:\n    require:\n      - sls: b\n',
      'states/b.yaml': '/tmp/b:\n  file.absent: {{pillar.nope}}\n',
    });
    const ps = problems(() => compileProject(dir, {}, ['a']));
    expect(ps.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual(["states/b.yaml:2 template: 'pillar.nope' is not defined (missing pillar key or fact?)"]);
  });
});

describe('the `secrets` template context', () => {
  it('holds only what secrets.yaml files say, merged, while pillar holds everything', () => {
    const dir = makeProject({
      'states/main.yaml': '/tmp/env:\n  file.managed:\n    contents: {{yaml (keys secrets)}}\n',
      'pillar/top.yaml': `base:\n  '*': [project, secrets]\nstaging:\n  '*': [staging.secrets]\n`,
      'pillar/project.yaml': 'name: shop\n',
      'pillar/secrets.yaml': 'A: one-secret\n',
      'pillar/staging/secrets.yaml': 'B: two-secret\n',
    });
    const c = compileProject(dir, {}, ['main']);
    expect(c.specs.get('/tmp/env|file')).toMatchObject({ content: 'A\nB\n' });
    expect(c.pillar).toMatchObject({ name: 'shop', A: 'one-secret', B: 'two-secret' });
  });
});

describe('helpers for guards and environment files', () => {
  const ctx = {
    pillar: { devs: { ann: { sudo: true, public_keys: ['k1'] }, bob: { sudo: true, public_keys: [] }, cy: { public_keys: ['k2'] } } },
    secrets: { SECRET_KEY: 'a"b$c`d\\e', PORT: 8000, tls: { key: 'x' } },
  };

  it('keys_where lists the keys whose entries have every field set', () => {
    expect(render('{{yaml (keys_where pillar.devs "sudo" "public_keys")}}', 'f', ctx)).toBe('["ann"]');
    expect(render('{{yaml (keys_where pillar.devs "public_keys")}}', 'f', ctx)).toBe('["ann","cy"]');
    expect(render('{{#unless (keys_where pillar.devs "nope")}}none{{/unless}}', 'f', ctx)).toBe('none');
  });

  it('raise fails the render with its message, file and line', () => {
    try {
      render('a: 1\n{{#unless (keys_where pillar.devs "root")}}{{raise "nobody can log in: " "add one"}}{{/unless}}\n', 'states/g.yaml', ctx, { yamlSafe: true });
      expect.unreachable();
    } catch (err) {
      expect((err as SpecError).problems).toEqual([{ file: 'states/g.yaml', line: 2, message: 'template: nobody can log in: add one' }]);
    }
  });

  it('envfile writes KEY="value" lines systemd reads back verbatim, and names bad keys without values', () => {
    expect(render('{{envfile secrets exclude="tls"}}', 'f', ctx)).toBe('SECRET_KEY="a\\"b\\$c\\`d\\\\e"\nPORT="8000"\n');
    const bad = (secrets: object) => problems(() => render('{{envfile secrets}}', 'f', { secrets }))[0].message;
    expect(bad({ 'not-a-name': 'v4lue' })).toMatch(/"not-a-name" is not a valid environment variable name/);
    expect(bad({ tls: { key: 'v4lue' } })).toMatch(/the value of 'tls' must be a string, number or boolean \(got a mapping\)/);
    expect(bad({ 'bad key': 'v4lue' })).not.toContain('v4lue');
  });

  it('envfile merges several mappings, later keys winning, and skips a missing one', () => {
    const c = { env: { A: '1', SECRET_KEY: 'plain' }, secrets: { SECRET_KEY: 's', B: 2 } };
    expect(render('{{envfile env secrets}}', 'f', c)).toBe('A="1"\nSECRET_KEY="s"\nB="2"\n');
    expect(render('{{envfile (default nothing null) secrets}}', 'f', c)).toBe('SECRET_KEY="s"\nB="2"\n');
  });

  it('lenient helpers tolerate a missing parent ({{#if pillar.a.b}}, default)', () => {
    expect(render('{{#if pillar.nginx.settings}}y{{else}}n{{/if}} {{default pillar.nginx.package "nginx-light"}}', 'f', ctx)).toBe('n nginx-light');
  });
});
