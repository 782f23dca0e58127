// What issue #2 must show, through the real bundle: dry run truth, idempotence, secrets, errors.
import { execa } from 'execa';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { BUNDLE, brine, snapshot } from './support.js';
import { tempDir } from '../support/temp.js';

const SECRET = 'tok-3f9a8c7e1d2b';

function project(target: string, extra: Record<string, string> = {}) {
  return makeProject({
    'states/top.yaml': `base:\n  '*': [app]\n`,
    'states/app.yaml': `
${target}/conf:
  file.directory:
    mode: 755
${target}/conf/app.ini:
  file.managed:
    source: salt://files/app.ini
    template: handlebars
    mode: 640
${target}/conf/token:
  file.managed:
    contents: {{yaml pillar.api_token}}
    mode: 600
`,
    'states/files/app.ini': '[app]\nname = {{pillar.name}}\ntoken = {{pillar.api_token}}\n',
    'pillar/top.yaml': `base:\n  '*': [common]\nstaging:\n  '*': [staging.secrets]\n`,
    'pillar/common.yaml': 'name: shop\n',
    'pillar/staging/secrets.yaml': `api_token: ${SECRET}\n`,
    ...extra,
  });
}

describe('brine apply (bundle)', () => {
  let target: string;
  let dir: string;
  beforeAll(() => {
    target = tempDir('brine-target-');
    dir = project(target);
  });

  it('--test shows the diff, exits 2 and changes nothing; apply converges; re-runs are clean', async () => {
    const before = snapshot(target);
    const dry = await brine(['apply', '--test', '--env', 'staging', '--dir', dir]);
    expect(dry.code, dry.out).toBe(2);
    expect(dry.stdout).toContain('+name = shop');
    expect(dry.stdout).toMatch(/Succeeded: 3 \(changed=0, pending=3\)\s+Failed: 0/);
    expect(snapshot(target)).toEqual(before);

    const applied = await brine(['apply', '--env', 'staging', '--dir', dir]);
    expect(applied.code, applied.out).toBe(0);
    expect(statSync(join(target, 'conf/app.ini')).mode & 0o777).toBe(0o640);
    expect(statSync(join(target, 'conf/token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(target, 'conf')).mode & 0o777).toBe(0o755);

    const again = await brine(['apply', '--env', 'staging', '--dir', dir]);
    expect(again.code, again.out).toBe(0);
    expect(again.stdout).toMatch(/Succeeded: 3 \(changed=0\)/);
    const dry2 = await brine(['apply', '--test', '--env', 'staging', '--dir', dir]);
    expect(dry2.code, dry2.out).toBe(0);
  });

  it('never prints a secret, in --test, apply or --json, but writes it to the file', async () => {
    const t = tempDir('brine-target-');
    const d = project(t);
    const outputs = [
      await brine(['apply', '--test', '--env', 'staging', '--dir', d]),
      await brine(['apply', '--test', '--json', '--env', 'staging', '--dir', d]),
      await brine(['apply', '--json', '--env', 'staging', '--dir', d]),
    ];
    writeFileSync(join(t, 'conf/token'), 'old-value\n');
    outputs.push(await brine(['apply', '--env', 'staging', '--dir', d]));
    for (const o of outputs) {
      expect(o.out).not.toContain(SECRET);
      expect(o.out).toContain('********');
    }
    expect(readFileSync(join(t, 'conf/token'), 'utf8')).toBe(`${SECRET}\n`);
    expect(readFileSync(join(t, 'conf/app.ini'), 'utf8')).toContain(`token = ${SECRET}`);
    const json = JSON.parse(outputs[1].stdout);
    expect(json.states.map((s: { id: string; function: string; result: string }) => [s.function, s.result])).toEqual([
      ['file.directory', 'pending'],
      ['file.managed', 'pending'],
      ['file.managed', 'pending'],
    ]);
    expect(Object.keys(json.states[0])).toEqual(expect.arrayContaining(['id', 'function', 'result', 'changes', 'comment']));
  });

  it.each([
    ['malformed YAML', { 'states/app.yaml': 'a:\n  file.managed:\n    contents: [oops\n' }, /states\/app\.yaml:\d+: .*YAML/],
    ['a missing pillar key', { 'states/app.yaml': '\n/tmp/x:\n  file.managed:\n    contents: {{pillar.nope.deeper}}\n' }, /states\/app\.yaml:4: template: 'pillar\.nope\.deeper' is not defined/],
    ['an unknown function', { 'states/app.yaml': '/tmp/x:\n  file.mangled: {}\n' }, /states\/app\.yaml:2: state '\/tmp\/x': unknown function 'file\.mangled'/],
    ['a requisite cycle', { 'states/app.yaml': 'a:\n  cmd.run: {name: "true", require: [b]}\nb:\n  cmd.run: {name: "true", watch: [a]}\n' }, /states\/app\.yaml:2: state 'a': requisite cycle: a → b → a/],
  ])('rejects %s with file:line, exit 1, nothing changed', async (_what, files, pattern) => {
    const t = tempDir('brine-target-');
    const d = project(t, files);
    const before = snapshot(t);
    for (const flags of [['--test'], []]) {
      const r = await brine(['apply', ...flags, '--env', 'staging', '--dir', d]);
      expect(r.code, r.out).toBe(1);
      expect(r.stderr).toMatch(pattern);
    }
    expect(snapshot(t)).toEqual(before);
  });

  it('keeps the old file when check_cmd rejects the candidate, failing the state and its watchers', async () => {
    const t = tempDir('brine-target-');
    writeFileSync(join(t, 'site.conf'), 'listen 80;\n');
    const d = makeProject({
      'states/site.yaml': `
${t}/site.conf:
  file.managed:
    contents: "listen eighty;"
    check_cmd: grep -q "^listen [0-9]*;$"
reload:
  cmd.run:
    name: touch ${t}/reloaded
    watch: [${t}/site.conf]
other:
  file.managed: {name: ${t}/other, contents: fine}
`,
    });
    for (const flags of [['--test'], []]) {
      const r = await brine(['apply', ...flags, '--env', 'staging', '--dir', d, 'site']);
      expect(r.code, r.out).toBe(1);
      expect(r.stdout).toContain('check_cmd rejected the new content (exit 1)');
      expect(r.stdout).toMatch(/ID: reload[\s\S]*Result: failed[\s\S]*requisite failed/);
    }
    expect(readFileSync(join(t, 'site.conf'), 'utf8')).toBe('listen 80;\n');
    expect(() => statSync(join(t, 'reloaded'))).toThrow();
    expect(readFileSync(join(t, 'other'), 'utf8')).toBe('fine\n');
  });

  it('refuses a second apply while another holds the lock', async () => {
    const varDir = tempDir('brine-var-');
    const sleeper = execa('sleep', ['30']);
    writeFileSync(join(varDir, 'apply.lock'), JSON.stringify({ pid: sleeper.pid, user: 'alice', since: 'now', what: 'apply' }));
    const r = await brine(['apply', '--env', 'staging', '--dir', dir], { varDir });
    sleeper.kill();
    await sleeper.catch(() => undefined);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another brine apply holds ${varDir}/apply.lock: pid ${sleeper.pid}, user alice`);
    // A lock whose holder is gone is stale and taken over.
    const again = await brine(['apply', '--test', '--env', 'staging', '--dir', dir], { varDir });
    expect([0, 2]).toContain(again.code);
  });

  it('runs as one self-contained file with no node_modules around it', async () => {
    const lone = tempDir('brine-lone-');
    copyFileSync(BUNDLE, join(lone, 'brine.js'));
    const t = tempDir('brine-target-');
    const d = project(t);
    // Node 18 (Debian 12's) has no module-syntax detection: a lone .js must be CommonJS.
    const r = await execa('node', ['--no-experimental-detect-module', join(lone, 'brine.js'), 'apply', '--env', 'staging', '--dir', d], {
      cwd: lone,
      reject: false,
      env: { BRINE_VAR_DIR: join(lone, 'var'), NODE_PATH: '' },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(readFileSync(join(t, 'conf/app.ini'), 'utf8')).toContain('name = shop');
  });
});

describe('check_in_place', () => {
  it('validates the whole configuration with the candidate in place, leaving the live files alone', async () => {
    const t = tempDir('brine-conf-');
    writeFileSync(join(t, 'main.conf'), 'ok\n');
    const state = (file: string, text: string) => `
${t}/${file}:
  file.managed:
    contents: ${JSON.stringify(text)}
    check_in_place: ["/bin/sh", "-c", "! grep -rq forbidden \\"$0\\" && test -f \\"$0/${file}\\"", "${t}"]
`;
    const bad = makeProject({ 'states/c.yaml': state('new.conf', 'forbidden') });
    const good = makeProject({ 'states/c.yaml': state('new.conf', 'fine') });
    const badEdit = makeProject({ 'states/c.yaml': state('main.conf', 'forbidden') });
    for (const flags of [['--test'], []]) {
      const r = await brine(['apply', ...flags, '--env', 'x', '--dir', bad, 'c']);
      expect(r.code, r.out).toBe(1);
      expect(r.stdout).toContain('check_in_place rejected the new content');
      const e = await brine(['apply', ...flags, '--env', 'x', '--dir', badEdit, 'c']);
      expect(e.code, e.out).toBe(1);
    }
    expect(snapshot(t)).toEqual({ [join(t, 'main.conf')]: `100644 ${Buffer.from('ok\n').toString('base64')}` });
    const ok = await brine(['apply', '--env', 'x', '--dir', good, 'c']);
    expect(ok.code, ok.out).toBe(0);
    expect(readFileSync(join(t, 'new.conf'), 'utf8')).toBe('fine\n');
  });
});

describe('secrets and processes', () => {
  it('refuses to put a secret into a command line, where ps would show it', async () => {
    const t = tempDir('brine-target-');
    const d = project(t, { 'states/app.yaml': `leak:\n  cmd.run:\n    name: [echo, {{yaml pillar.api_token}}]\n` });
    const r = await brine(['apply', '--env', 'staging', '--dir', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('refusing to run a command with a secret in its arguments');
    expect(r.out).not.toContain(SECRET);
  });
});

describe('a secret that changes', () => {
  it('shows neither the old nor the new value in the diff', async () => {
    const t = tempDir('brine-target-');
    const d = project(t);
    expect((await brine(['apply', '--env', 'staging', '--dir', d])).code).toBe(0);
    writeFileSync(join(d, 'pillar/staging/secrets.yaml'), 'api_token: "new-tok-$9&\\"q"\n');
    const r = await brine(['apply', '--test', '--env', 'staging', '--dir', d]);
    expect(r.code, r.out).toBe(2);
    expect(r.out).not.toContain(SECRET);
    expect(r.out).not.toContain('new-tok');
    expect(r.stdout).toContain('-token = ********');
    expect(r.stdout).toContain('+token = ********');
    expect(r.stdout).toContain(' name = shop');
  });
});
