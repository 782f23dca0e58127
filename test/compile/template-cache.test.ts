// Compiled templates kept between runs: a kept template renders (and fails) exactly as a fresh
// one, only templates that parsed are kept, none holding a secret.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '../../src/compile/render.js';
import { cachedParse, FileSpecStore, templateKey, useParsedStore, useTemplateStore, type SpecStore } from '../../src/compile/template-cache.js';
import { parseSls } from '../../src/compile/sls.js';
import { SpecError } from '../../src/core/errors.js';
import { Secrets } from '../../src/core/secrets.js';
import { tempDir } from '../support/temp.js';

class MemoryStore implements SpecStore {
  readonly specs = new Map<string, string>();
  hits = 0;
  get(key: string) {
    const s = this.specs.get(key);
    if (s !== undefined) this.hits++;
    return s;
  }
  put(key: string, spec: string) {
    this.specs.set(key, spec);
  }
}

const ctx = { pillar: { app: { port: 8080, name: 'shop' }, users: ['a', 'b'] }, facts: { hostname: 'web1' }, secrets: { db: 's3cr3t-pw' } };
const secrets = new Secrets();
secrets.add('s3cr3t-pw');
secrets.add('pa"sswd');

/** What render gives: the text, or the problem it reports. */
function outcome(text: string, yamlSafe: boolean) {
  try {
    return { text: render(text, 'states/x.yaml', ctx, { yamlSafe, secrets }) };
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return { problem: err.problems[0] };
  }
}

afterEach(() => useTemplateStore(null));

describe('kept templates', () => {
  const cases: [string, boolean][] = [
    ['port: {{pillar.app.port}}\nname: {{yaml pillar.app.name}}\n', true],
    ['{{#each pillar.users}}- {{this}}\n{{/each}}', true],
    ['a: 1\nb: {{pillar.app.nope}}\n', true], // strict: missing key, line 2
    ['x: {{raise "no " pillar.app.name}}', true],
    ['listen {{pillar.app.port}};\nserver_name {{facts.hostname}};\n', false],
  ];

  it.each(cases)('render %j the same with no store, a cold one and a warm one', (text, yamlSafe) => {
    useTemplateStore(undefined);
    const plain = outcome(text, yamlSafe);
    const store = new MemoryStore();
    useTemplateStore(store);
    expect(outcome(text, yamlSafe)).toEqual(plain);
    expect(store.hits).toBe(0);
    expect(outcome(text, yamlSafe)).toEqual(plain);
    expect(store.hits).toBe(1);
  });

  it('are what renders: a kept template is used, not compiled again', () => {
    const store = new MemoryStore();
    useTemplateStore(store);
    const text = 'v: {{pillar.app.port}}\n';
    render(text, 'f', ctx, { yamlSafe: true, secrets });
    const key = templateKey(text, true);
    store.specs.set(key, store.specs.get(key)!.replace('"v: "', '"kept: "'));
    expect(render(text, 'f', ctx, { yamlSafe: true, secrets })).toBe('kept: 8080\n');
    // The YAML guard is part of the key: the same text rendered as a plain file is its own entry.
    expect(render(text, 'f', ctx, { secrets })).toBe('v: 8080\n');
  });

  it('keeps nothing that failed to parse', () => {
    const store = new MemoryStore();
    useTemplateStore(store);
    expect(outcome('a: {{#if}}', true).problem?.message).toMatch(/^template: /);
    expect(outcome('a: {{/each}}\n', true).problem?.message).toMatch(/^template: /);
    expect(store.specs.size).toBe(0);
  });

  it('never keeps a template whose text holds a secret', () => {
    const store = new MemoryStore();
    useTemplateStore(store);
    expect(render('password: s3cr3t-pw\nport: {{pillar.app.port}}\n', 'f', ctx, { secrets })).toBe('password: s3cr3t-pw\nport: 8080\n');
    expect(store.specs.size).toBe(0);
    // Nor one holding a secret in an escaped form (Secrets knows those too).
    render('x: "pa\\"sswd"\n', 'f', ctx, { secrets });
    expect(store.specs.size).toBe(0);
    // Without the run's secrets to check against, nothing is kept.
    render('port: {{pillar.app.port}}\n', 'f', ctx);
    expect(store.specs.size).toBe(0);
    render('password: {{secrets.db}}\n', 'f', ctx, { secrets });
    expect(store.specs.size).toBe(1);
    expect([...store.specs.values()].join()).not.toContain('s3cr3t-pw');
  });
});

describe('FileSpecStore', () => {
  const setup = () => {
    const dir = tempDir('brine-tpl-');
    chmodSync(dir, 0o700);
    return join(dir, 'code-cache-templates');
  };

  it('keeps what a run used for the next run of the same program, and only that', () => {
    const file = setup();
    const first = new FileSpecStore(file, 'aa');
    first.put('k1', '{"main":1}');
    first.put('k2', '{"main":2}');
    first.save();
    const second = new FileSpecStore(file, 'aa');
    expect(second.get('k1')).toBe('{"main":1}');
    second.save(); // k2 unused: dropped
    const third = new FileSpecStore(file, 'aa');
    expect(third.get('k2')).toBeUndefined();
    expect(third.get('k1')).toBe('{"main":1}');
    expect(new FileSpecStore(file, 'bb').get('k1')).toBeUndefined(); // another program
  });

  it('ignores a file others could write, or one it cannot read', () => {
    const file = setup();
    const s = new FileSpecStore(file, 'aa');
    s.put('k', '{}');
    s.save();
    chmodSync(file, 0o644);
    expect(new FileSpecStore(file, 'aa').get('k')).toBe('{}');
    chmodSync(file, 0o666);
    expect(new FileSpecStore(file, 'aa').get('k')).toBeUndefined();
    writeFileSync(file, `${readFileSync(file, 'latin1').split('\n')[0]}\nnot json`, { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(new FileSpecStore(file, 'aa').get('k')).toBeUndefined();
  });
});

describe('parsed YAML kept between runs', () => {
  afterEach(() => useParsedStore(null));

  it('gives back what a fresh parse gives, keeps only what may be kept, and only what JSON keeps exactly', () => {
    const store = new MemoryStore();
    useParsedStore(store);
    const text = 'web:\n  pkg.installed:\n    - name: nginx\n';
    const fresh = parseSls(text, 'states/web.yaml', 'web', 0, []);
    const first = cachedParse('sls', text, () => ({ value: parseSls(text, 'states/web.yaml', 'web', 0, []), keep: true }));
    const again = cachedParse('sls', text, () => {
      throw new Error('parsed again');
    });
    expect(first).toEqual(fresh);
    expect(again).toEqual(fresh);
    expect(store.hits).toBe(1);
    // Not kept: what the caller says may not be (a problem, a secret), and what JSON would change.
    cachedParse('sls', 'other', () => ({ value: { a: 1 }, keep: false }));
    cachedParse('sls', 'dated', () => ({ value: { at: new Date(0), gone: undefined }, keep: true }));
    expect(store.specs.size).toBe(1);
  });

  describe('a state file holding secrets', () => {
    const secretsOf = (...values: string[]) => {
      const s = new Secrets();
      for (const v of values) s.add(v);
      return s;
    };
    const sls = (text: string) => parseSls(text, 'states/app.yaml', 'app', 0, []);
    const held = (secrets: Secrets) => ({
      secrets,
      parse: (t: string) => {
        const sink: never[] = [];
        const v = parseSls(t, 'states/app.yaml', 'app', 0, sink);
        return sink.length ? undefined : v;
      },
    });
    const parseWith = (text: string, secrets: Secrets) => cachedParse('sls', text, () => ({ value: sls(text), keep: true }), held(secrets));
    const envState = (key: string) => `/etc/app/env:\n  file.managed:\n    - contents: "SECRET_KEY=${key}\\nDEBUG=0\\n"\n    - mode: 600\n`;

    it('is kept with placeholders: the store holds no secret, a run gets its own secrets back, a rotated one too', () => {
      const store = new MemoryStore();
      useParsedStore(store);
      const one = 's3cr3t-one-value';
      expect(parseWith(envState(one), secretsOf(one))).toEqual(sls(envState(one)));
      expect(store.specs.size).toBe(1);
      const kept = [...store.specs.entries()].flat().join('\n');
      expect(kept).not.toContain(one);
      expect(kept).toContain('\uE000');
      // Again: from the store, with this run's value in its place.
      expect(parseWith(envState(one), secretsOf(one))).toEqual(sls(envState(one)));
      expect(store.hits).toBe(1);
      const two = 'another-s3cr3t-2';
      expect(parseWith(envState(two), secretsOf(two))).toEqual(sls(envState(two)));
      expect(store.hits).toBe(2);
      expect([...store.specs.values()].join('')).not.toContain(two);
    });

    it('is not kept when the text holds a secret in a form the parse changes, or the secret changes the parse', () => {
      const store = new MemoryStore();
      useParsedStore(store);
      // Escaped inside a double-quoted scalar: the parse would hold the secret itself.
      const quoted = 'pa"ss\\word';
      const text = `/etc/app/env:\n  file.managed:\n    - contents: "KEY=${quoted.replace(/["\\]/g, '\\$&')}"\n`;
      expect(parseWith(text, secretsOf(quoted))).toEqual(sls(text));
      // A whole scalar YAML reads as a number: a placeholder would read as a string.
      const port = '123456789';
      const typed = `app:\n  service.running:\n    - port: ${port}\n`;
      expect(parseWith(typed, secretsOf(port))).toEqual(sls(typed));
      expect(store.specs.size).toBe(0);
    });
  });
});
