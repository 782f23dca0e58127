import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { render } from '../../src/compile/render.js';
import { SpecError } from '../../src/core/errors.js';

const ctx = (pillar: Record<string, unknown>) => ({ pillar, facts: { hostname: 'web1' } });

function problem(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems[0];
  }
  throw new Error('expected a SpecError');
}

describe('render', () => {
  it('names the missing pillar key with file and line (strict)', () => {
    const p = problem(() => render('a: 1\nb: {{pillar.app.port}}\n', 'states/app.yaml', ctx({ app: {} }), { yamlSafe: true }));
    expect(p.file).toBe('states/app.yaml');
    expect(p.line).toBe(2);
    expect(p.message).toContain("'pillar.app.port' is not defined");
  });

  it('merges mappings with later keys winning; a missing one counts as empty, anything else is an error', () => {
    const c = ctx({ app: { env: { A: 'pillar', B: 'pillar' } }, secret: { B: 'secret', C: 'secret' } });
    expect(render('{{envfile (merge pillar.app.env pillar.secret)}}', 'f', c)).toBe('A="pillar"\nB="secret"\nC="secret"\n');
    expect(render('{{envfile (merge pillar.nope.env pillar.secret)}}', 'f', c)).toBe('B="secret"\nC="secret"\n');
    expect(problem(() => render('\n{{envfile (merge pillar.app.env "x")}}', 'f', c))).toMatchObject({ line: 2, message: 'template: merge: every argument must be a mapping' });
  });

  it('is strict for helper arguments too, but lenient in {{#if}}', () => {
    expect(problem(() => render('\nx: {{yaml pillar.nope}}', 'f', ctx({}))).line).toBe(2);
    expect(render('x: {{#if pillar.nope}}y{{/if}}', 'f', ctx({}))).toBe('x: ');
  });

  it('does not HTML-escape', () => {
    expect(render('{{pillar.x}}', 'f', ctx({ x: '<a&b>' }))).toBe('<a&b>');
  });

  it.each([
    ['a: b'],
    ['"quoted"'],
    ["it's"],
    ['line1\nline2: x'],
    ['{{pillar.x}}'],
    ['- item'],
    ['x # comment'],
    ['[1, 2]'],
    ['&anchor'],
  ])('{{yaml}} keeps %j one scalar', (value) => {
    const text = render('key: {{yaml pillar.v}}\nother: 1\n', 'f', ctx({ v: value }), { yamlSafe: true });
    expect(parse(text)).toEqual({ key: value, other: 1 });
  });

  it.each([['a: b'], ['x\ny: 1'], ['x # c'], ['"q"'], ['{a: 1}']])('refuses bare insertion of %j in a state file', (value) => {
    const p = problem(() => render('key: {{pillar.v}}\n', 'states/x.yaml', ctx({ v: value }), { yamlSafe: true }));
    expect(p.message).toContain("'pillar.v' would change the YAML structure");
  });

  it('inserts tame values bare, inside larger scalars', () => {
    expect(render('p: /home/{{pillar.u}}/.ssh', 'f', ctx({ u: 'bob' }), { yamlSafe: true })).toBe('p: /home/bob/.ssh');
    expect(render('p: {{pillar.n}}', 'f', ctx({ n: 8080 }), { yamlSafe: true })).toBe('p: 8080');
  });

  it('leaves {{{raw}}} alone and never renders a value as a template', () => {
    expect(render('{{{pillar.v}}}', 'f', ctx({ v: '{{pillar.v}}' }), { yamlSafe: true })).toBe('{{pillar.v}}');
  });

  it('reports template syntax errors with the line', () => {
    expect(problem(() => render('a\nb\n{{#if x}}', 'states/t.yaml', ctx({}))).line).toBe(3);
  });
});
