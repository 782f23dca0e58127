// The JSON Schemas editors use: made from the parsers, so they accept what brine accepts and
// reject an unknown argument on the very line brine's own compile names.
import { Ajv, type ErrorObject } from 'ajv';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { isMap, parseDocument, type Node } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPillar } from '../../src/compile/pillar.js';
import { render } from '../../src/compile/render.js';
import { stateSchema } from '../../src/compile/schema.js';
import { registry } from '../../src/resources/index.js';
import { facts, problemsOf, compileStates } from '../support/project.js';
import { tempDir } from '../support/temp.js';

const ROOT = resolve(__dirname, '../..');
const schema = stateSchema(registry);
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const pillarSchema = JSON.parse(readFileSync(join(ROOT, 'schemas/pillar.schema.json'), 'utf8'));
const validatePillar = ajv.compile(pillarSchema);

/** Schema errors as "line: message", lines found from each error's path in the YAML. */
function schemaErrors(text: string): { line: number; message: string }[] {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (validate(doc.toJSON())) return [];
  // `if` errors only say which branch failed; the branch's own errors follow them.
  return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e: ErrorObject) => {
    const path = e.instancePath.split('/').slice(1).map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const at = doc.getIn(path, true) as Node | undefined;
    let node: unknown = at;
    if (extra !== undefined && isMap(at)) node = at.items.find((p) => String((p.key as { value: unknown }).value) === extra)?.key;
    const range = (node as { range?: number[] } | undefined)?.range;
    return { line: range ? lineOf(range[0]) : 0, message: `${e.instancePath} ${e.message}${extra ? ` (${extra})` : ''}` };
  });
}

describe('state file schema', () => {
  it('is what the build ships in dist/schemas', () => {
    const built = join(ROOT, 'dist/schemas/state.schema.json');
    expect(existsSync(built), 'npm test builds first').toBe(true);
    expect(JSON.parse(readFileSync(built, 'utf8'))).toEqual(schema);
  });

  it('lists every kind.function with the arguments its parser reads', () => {
    const defs = schema.definitions as Record<string, { properties?: Record<string, { enum?: string[] }> }>;
    for (const [kind, fns] of Object.entries(registry)) for (const fn of Object.keys(fns)) expect(defs).toHaveProperty([`${kind}.${fn}`]);
    expect(Object.keys(defs['file.managed.args'].properties!)).toEqual(expect.arrayContaining(['contents', 'source', 'mode', 'check_cmd', 'require', 'watch_in']));
    expect(defs['ufw.rule.args'].properties!.action.enum).toEqual(['allow', 'deny', 'limit', 'reject']);
    // `dir_mode` is read only when given: found by probing again with what was seen.
    expect(Object.keys(defs['file.directory.args'].properties!)).toContain('dir_mode');
  });

  it('accepts every shipped state file as rendered for each environment (with its example secrets)', () => {
    let checked = 0;
    // The project as a team has it: secrets.yaml filled in from secrets.example.yaml.
    const project = tempDir('brine-schema-');
    cpSync(join(ROOT, 'pillar'), join(project, 'pillar'), { recursive: true });
    for (const env of ['staging', 'production']) {
      const example = join(project, 'pillar', env, 'secrets.example.yaml');
      if (existsSync(example)) cpSync(example, join(project, 'pillar', env, 'secrets.yaml'));
    }
    for (const env of ['staging', 'production']) {
      const f = facts({ env });
      const problems: never[] = [];
      const { data: pillar, secrets, secretData } = loadPillar(project, f, problems);
      expect(problems).toEqual([]);
      const context = { pillar, secrets: secretData, facts: f, grains: f, env };
      for (const file of fg.sync('states/**/*.yaml', { cwd: ROOT, ignore: ['states/top.yaml', 'states/**/files/**'] })) {
        const text = render(readFileSync(join(ROOT, file), 'utf8'), file, context, { yamlSafe: true, secrets });
        expect(schemaErrors(text), `${env}: ${file}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4);
  });

  it("accepts the README's state file examples", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    const states = blocks.filter((b) => /^\s{2}[a-z_]+\.[a-z_]+:/m.test(b) && !/^(base|staging|production):/m.test(b));
    expect(states.length).toBeGreaterThan(0);
    for (const text of states) expect(schemaErrors(text), text).toEqual([]);
  });

  it('fails an unknown argument on the line brine names, in the mapping and the list form', () => {
    const text = ['/etc/motd:', '  file.managed:', '    contents: hello', '    modee: 644', 'motd-list:', '  file.managed:', '    - name: /etc/issue', '    - requires: x', ''].join('\n');
    const brine = problemsOf(() => compileStates(text)).map((p) => ({ line: p.line, field: p.field }));
    expect(brine).toEqual(expect.arrayContaining([{ line: 4, field: 'modee' }, { line: 8, field: 'requires' }]));
    const lines = schemaErrors(text).map((e) => e.line);
    expect(lines).toContain(4);
    expect(lines).toContain(8);
    expect(new Set(lines)).toEqual(new Set([4, 8]));
  });

  it("accepts Salt's other forms and the arguments every state takes (names, unless, onlyif, creates, order, extend)", () => {
    const text = [
      'vim: pkg.installed',
      'tools:',
      '  pkg:',
      '    - installed',
      '    - names: [curl, git]',
      '    - order: first',
      'migrate:',
      '  cmd.run:',
      '    - name: [/usr/bin/touch, /srv/done]',
      '    - unless: test -f /srv/done',
      '    - onlyif: [[test, -d, /srv]]',
      '    - creates: /srv/done',
      'extend:',
      '  nginx:',
      '    service:',
      '      - watch:',
      '        - file: /etc/nginx/nginx.conf',
      '',
    ].join('\n');
    // brine compiles it too (but for the extend, whose target is in no file here).
    expect(compileStates(text.replace(/^extend:[\s\S]*/m, '')).graph.order.map((d) => d.name)).toEqual(['curl', 'git', 'vim', '/usr/bin/touch /srv/done']);
    expect(schemaErrors(text)).toEqual([]);
    expect(schemaErrors('x: pkg.nope\n').map((e) => e.line)).toEqual([1]);
    expect(schemaErrors('x:\n  cmd.run:\n    - creates: relative\n').map((e) => e.line)).toContain(3);
  });

  it('rejects a wrong type and a value outside an enum where brine does', () => {
    const text = ['ssh:', '  ufw.rule:', '    action: permit', '    port: 22', 'x:', '  file.managed:', '    name: /x', '    makedirs: "yes"', ''].join('\n');
    expect(problemsOf(() => compileStates(text)).map((p) => p.line).sort()).toEqual([3, 8]);
    expect(schemaErrors(text).map((e) => e.line)).toEqual(expect.arrayContaining([3, 8]));
  });
});

describe('pillar schema', () => {
  it('accepts the shipped pillar files', () => {
    for (const file of fg.sync('pillar/**/*.yaml', { cwd: ROOT, ignore: ['pillar/top.yaml'] })) {
      const data = parseDocument(readFileSync(join(ROOT, file), 'utf8')).toJSON() ?? {};
      expect(validatePillar(data) ? [] : validatePillar.errors, file).toEqual([]);
    }
  });

  it('rejects a wrong shape in the contract', () => {
    expect(validatePillar({ hosts: [{ roles: ['web'] }] })).toBe(false);
    expect(validatePillar({ devs: { ana: { public_keys: 'ssh-ed25519 AAAA', sudo: true } } })).toBe(false);
    expect(validatePillar({ app: { workers: 'two' } })).toBe(false);
  });
});
