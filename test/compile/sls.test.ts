import { describe, expect, it } from 'vitest';
import { parseSls } from '../../src/compile/sls.js';
import type { Problem } from '../../src/core/errors.js';

const parse = (text: string) => {
  const problems: Problem[] = [];
  const r = parseSls(text, 'states/x.yaml', 'x', 0, problems);
  return { ...r, problems };
};

describe('parseSls', () => {
  it.each([
    ['644', 0o644],
    ['0644', 0o644],
    ['0o750', 0o750],
    ["'0600'", 0o600],
  ])('keeps mode %s as written', (written, _mode) => {
    const { decls } = parse(`/a:\n  file.managed:\n    mode: ${written}\n`);
    expect(String(decls[0].args.mode).replace(/^0o?/, '').replace(/^'|'$/g, '')).toBe(_mode.toString(8));
  });

  it('reads requisites in every form and removes them from the arguments', () => {
    const { decls, problems } = parse(`
a:
  cmd.run:
    - name: x
    - require:
      - b
      - file: /etc/x
      - sls: other
    - watch_in: [c]
`);
    expect(problems).toEqual([]);
    expect(decls[0].args).toEqual({ name: 'x' });
    expect(decls[0].requisites.map((r) => [r.type, r.inverted, r.target, r.line])).toEqual([
      ['require', false, { ref: 'b' }, 5],
      ['require', false, { kind: 'file', ref: '/etc/x' }, 5],
      ['require', false, { sls: 'other' }, 5],
      ['watch', true, { ref: 'c' }, 9],
    ]);
  });

  it("accepts Salt's `kind: [function, args…]` form", () => {
    const { decls } = parse(`nginx:\n  service:\n    - running\n    - enable: true\n`);
    expect(decls[0]).toMatchObject({ kind: 'service', fn: 'running', name: 'nginx', args: { enable: true } });
  });

  it('reports a function without a kind, bad shapes and includes with lines', () => {
    const { problems, includes } = parse(`include:\n  - a.b\n  - .c\nx:\n  managed: {}\ny: 3\n`);
    expect(includes).toEqual([{ name: 'a.b', line: 2 }, { name: '.c', line: 3 }]);
    expect(problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      "5 'managed' must name kind.function (e.g. file.managed)",
      '6 expected a mapping of kind.function to arguments',
    ]);
  });

  it('rejects a key given twice', () => {
    const { problems } = parse(`a:\n  cmd.run: {name: x}\na:\n  cmd.run: {name: y}\n`);
    expect(problems[0]).toMatchObject({ line: 3 });
    expect(problems[0].message).toMatch(/YAML: Map keys must be unique/);
  });
});
