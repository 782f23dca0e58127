// Bad input, through the real bundle: every kind is refused before anything changes, with exit 1
// and a message naming file and line where there is one; the target tree stays byte-identical
// and no lock is left behind. One table: what a user might get wrong, and what brine must say.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';
import { brine, snapshot } from './support.js';

const SECRET = 'tok-3f9a8c7e1d2b';

/** Base project: a canary state that would change the target if anything ran, plus `case`. */
function project(target: string, files: Record<string, string>): string {
  const base: Record<string, string> = {
    'states/top.yaml': "base:\n  '*': [canary, case]\nstaging:\n  'nohost': [canary]\n",
    'states/canary.yaml': `${target}/canary:\n  file.managed:\n    contents: canary\n`,
    'states/case.yaml': `${target}/fine:\n  file.managed:\n    contents: fine\n`,
    'states/files/plain.txt': 'plain\n',
    'pillar/top.yaml': "base:\n  '*': [common]\nstaging:\n  '*': [staging.secrets]\n",
    'pillar/common.yaml': 'name: shop\nnested: {a: 1}\nlist: [a, b]\nmulti: "a: b"\n',
    'pillar/staging/secrets.yaml': `api_token: ${SECRET}\n`,
  };
  const out = { ...base };
  for (const [k, v] of Object.entries(files)) out[k] = v.replaceAll('@T', target);
  return makeProject(out);
}

type Case = [what: string, files: Record<string, string>, expected: RegExp, args?: string[], code?: number];

const st = (text: string): Record<string, string> => ({ 'states/case.yaml': text });
const src = (template: string): Record<string, string> => ({
  'states/case.yaml': '@T/f:\n  file.managed:\n    source: salt://files/t.txt\n    template: handlebars\n',
  'states/files/t.txt': template,
});
const F = 'states/case\\.yaml';
const T = 'states/files/t\\.txt';

const cases: Case[] = [
  // YAML and the shape of a state file
  ['malformed flow YAML', st('@T/a:\n  file.managed:\n    contents: [oops\n'), new RegExp(`${F}:\\d+: YAML`)],
  ['an unclosed double quote (its line, not past the end)', st('@T/a:\n  file.managed:\n    contents: "abc\n@T/b:\n  file.managed:\n    contents: x\n'), new RegExp(`${F}:3: YAML: Missing closing "quote`)],
  ['an unclosed single quote', st("@T/a:\n  file.managed:\n    contents: 'abc\n"), new RegExp(`${F}:3: YAML: Missing closing 'quote`)],
  ['a tab as indentation', st('@T/a:\n\tfile.managed:\n    contents: x\n'), new RegExp(`${F}:2: YAML`)],
  ['a duplicate key', st('@T/a:\n  file.managed:\n    contents: x\n    contents: y\n'), new RegExp(`${F}:4: YAML: Map keys must be unique`)],
  ['a state file that is a list', st('- a\n- b\n'), new RegExp(`${F}:1: a state file must be a mapping`)],
  // `@T/a: file.managed` is Salt's short form now (issue 17): a list is what is not a body.
  ['a state body that is not a mapping', st('@T/a: [file.managed]\n'), new RegExp(`${F}:1: state '.*/a': expected a mapping`)],
  ['a kind without a function', st('@T/a:\n  file: {contents: x}\n'), new RegExp(`${F}:2: state '.*/a': 'file' must name kind.function`)],
  ['an unknown kind', st('@T/a:\n  filez.managed: {}\n'), new RegExp(`${F}:2: state '.*/a': unknown kind 'filez.managed'`)],
  ['an unknown function', st('@T/a:\n  file.mangled: {}\n'), new RegExp(`${F}:2: state '.*/a': unknown function 'file.mangled'`)],
  ['an unknown argument', st('@T/a:\n  file.managed:\n    contents: x\n    mdoe: 644\n'), new RegExp(`${F}:4: state '.*/a', field 'mdoe': unknown argument`)],
  ['a mode that is not octal', st('@T/a:\n  file.managed:\n    contents: x\n    mode: 999\n'), new RegExp(`${F}:4: state '.*/a', field 'mode': expected octal mode`)],
  ['a boolean given as a string', st('@T/a:\n  file.managed:\n    contents: x\n    makedirs: "yes"\n'), new RegExp(`${F}:4: .*field 'makedirs': expected boolean`)],
  ['contents and source together', st('@T/a:\n  file.managed:\n    contents: x\n    source: salt://files/plain.txt\n'), new RegExp(`${F}:4: .*field 'source': give either contents or source`)],
  ['a source outside states/', st('@T/a:\n  file.managed:\n    source: salt://../pillar/common.yaml\n'), new RegExp(`${F}:3: .*field 'source': source must be a path inside states/`)],
  ['a missing source', st('@T/a:\n  file.managed:\n    source: salt://files/nope.txt\n'), new RegExp(`${F}:3: .*field 'source': source file states/files/nope.txt not found`)],
  ['a relative path', st('relative/a:\n  file.managed:\n    contents: x\n'), new RegExp(`${F}:2: state 'relative/a', field 'name': must be an absolute path`)],
  ['a path with ..', st('@T/x/../a:\n  file.managed:\n    contents: x\n'), new RegExp(`${F}:2: .*field 'name': must be a normalised path`)],
  ['a duplicate ID', st('@T/a:\n  file.managed:\n    contents: x\n@T/a:\n  file.managed:\n    contents: y\n'), new RegExp(`${F}:4: YAML: Map keys must be unique`)],
  ['the same ID in two files', { 'states/case.yaml': '@T/canary:\n  file.managed:\n    contents: again\n' }, new RegExp(`${F}:2: state '.*/canary': duplicate state ID for file \\(first declared at states/canary\\.yaml:2\\)`)],
  ['a requisite to a missing state', st('a:\n  cmd.run:\n    name: "true"\n    require: [nope]\n'), new RegExp(`${F}:4: state 'a'.*nope`)],
  ['a requisite cycle', st('a:\n  cmd.run: {name: "true", require: [b]}\nb:\n  cmd.run: {name: "true", watch: [a]}\n'), new RegExp(`${F}:2: state 'a': requisite cycle: a → b → a`)],
  ['a requisite of the wrong shape', st('a:\n  cmd.run:\n    name: "true"\n    require: [{x: 1, y: 2}]\n'), new RegExp(`${F}:4: .*requisite must be an ID or \`kind: ID\``)],
  ['an include of a missing file', st('include: [nope]\n'), new RegExp(`${F}:1: state file 'nope' not found`)],
  // Salt's extend is supported now (issue 17): extending a state that is in no file is refused.
  ['an extend of a state in no file', st('extend:\n  a:\n    file.managed:\n      - mode: 600\n'), new RegExp(`${F}:3: state 'a': extend: no state 'a' with file in the states of this run`)],
  // Names brine cannot make exactly
  ['a name with a newline', st('nl:\n  file.managed:\n    name: "@T/a\\nb"\n    contents: x\n'), new RegExp(`${F}:3: state 'nl', field 'name': the name holds a control character \\(U\\+000A\\)`)],
  ['a name with a NUL', st('nul:\n  file.managed:\n    name: "@T/a\\0b"\n    contents: x\n'), new RegExp(`${F}:3: .*control character \\(U\\+0000\\)`)],
  ['a name with a tab', st('tab:\n  file.directory:\n    name: "@T/a\\tb"\n'), new RegExp(`${F}:3: .*control character \\(U\\+0009\\)`)],
  ['an ID with an escape character', st('"@T/a\\eb":\n  file.managed:\n    contents: x\n'), new RegExp(`${F}:2: .*control character \\(U\\+001B\\)`)],
  ['a command with a NUL', st('c:\n  cmd.run:\n    name: "echo a\\0b"\n'), new RegExp(`${F}:3: .*control character \\(U\\+0000\\)`)],
  ['a unit name with a newline', st('u:\n  service.running:\n    name: "nginx\\nx"\n'), new RegExp(`${F}:3: .*control character`)],
  // Templates
  ['a missing pillar key', st('@T/a:\n  file.managed:\n    contents: {{pillar.nope}}\n'), new RegExp(`${F}:3: template: 'pillar\\.nope' is not defined`)],
  ['a missing nested pillar key', st('@T/a:\n  file.managed:\n    contents: {{pillar.nested.b.c}}\n'), new RegExp(`${F}:3: template: 'pillar\\.nested\\.b\\.c' is not defined`)],
  ['a missing nested key in a source template', src('one\n{{pillar.nested.x.y}}\n'), new RegExp(`${T}:2: state '.*/f', field 'source': template: 'pillar\\.nested\\.x\\.y' is not defined`)],
  ['a missing key under a block parameter', src('{{#each pillar.list as |v|}}{{v.deep.er}}{{/each}}\n'), new RegExp(`${T}:1: .*'v\\.deep\\.er' is not defined`)],
  ['a missing key from a parent context', src('a\nb\n{{#each pillar.list}}{{../pillar.q.w}}{{/each}}\n'), new RegExp(`${T}:3: .*'\\.\\./pillar\\.q\\.w' is not defined`)],
  ['an unclosed {{#if}}', st('@T/a:\n  file.managed:\n    contents: x\n{{#if pillar.name}}\n@T/b:\n  file.managed:\n    contents: y\n'), new RegExp(`${F}:4: template: '\\{\\{#if\\}\\}' is never closed`)],
  ['an unclosed {{#each}} in a source', src('a\n{{#each pillar.list}}\n{{this}}\n'), new RegExp(`${T}:2: .*'\\{\\{#each\\}\\}' is never closed`)],
  ['a block closed by the wrong name', st('@T/a:\n  file.managed:\n    contents: {{#if pillar.name}}a{{/each}}\n'), new RegExp(`${F}:3: template: '\\{\\{#if\\}\\}' is closed by '\\{\\{/each\\}\\}'`)],
  ['a malformed mustache', st('@T/a:\n  file.managed:\n    contents: {{foo bar baz}\n'), new RegExp(`${F}:3: template: parse error near .*Expecting .*got INVALID`)],
  ['an unknown helper', st('@T/a:\n  file.managed:\n    contents: {{nohelper pillar.name}}\n'), new RegExp(`${F}:3: template: .*nohelper`)],
  ['a raise', st('{{raise "refusing: " pillar.name}}\n'), new RegExp(`${F}:1: template: refusing: shop`)],
  ['a value that would change the YAML structure', st('@T/a:\n  file.managed:\n    contents: {{pillar.multi}}\n'), new RegExp(`${F}:3: template: the value of 'pillar\\.multi' would change the YAML structure`)],
  ['a mapping inserted as text', st('@T/a:\n  file.managed:\n    contents: {{pillar.nested}}\n'), new RegExp(`${F}:3: template: 'pillar\\.nested' is a mapping`)],
  ['envfile of a list', src('{{envfile pillar.list}}\n'), new RegExp(`${T}:1: .*envfile: expected a mapping`)],
  // Top files and pillar
  ['a top file that is a list', { 'states/top.yaml': '- a\n' }, /states\/top\.yaml:1: top file must map ENV → TARGET → \[names\]/],
  ['a target that lists no names', { 'states/top.yaml': "base:\n  '*': canary\n" }, /states\/top\.yaml:2: target '\*' must list names/],
  ['a top selecting a missing state file', { 'states/top.yaml': "base:\n  '*': [canary, nope]\n" }, /states\/top\.yaml:2: state file 'nope' not found/],
  ['no top file and no state named', { 'states/top.yaml': '' }, /nothing to apply: states\/top\.yaml selects no state file/],
  ['a pillar top selecting a missing file', { 'pillar/top.yaml': "base:\n  '*': [common, nope]\n" }, /pillar\/top\.yaml:2: pillar 'nope' not found/],
  ['a pillar file that is a list', { 'pillar/common.yaml': '- a\n' }, /pillar\/common\.yaml:1: a pillar file must be a mapping/],
  ['malformed pillar YAML', { 'pillar/common.yaml': 'a: [b\n' }, /pillar\/common\.yaml:\d+: YAML/],
  ['a top that selects nothing for this host', { 'states/top.yaml': "base:\n  'otherhost': [canary]\n" }, /nothing to apply: states\/top\.yaml selects no state file for this host .* in environment 'staging' \(--allow-empty accepts that\)/],
  ['a named state file that declares nothing', { 'states/empty.yaml': '# nothing yet\n' }, /nothing to apply: the state files empty declare no state/, ['empty']],
  // Secrets brine could not hide
  ['a secret too short to mask', { 'pillar/staging/secrets.yaml': `api_token: ${SECRET}\npin: abc\n` }, /pillar\/staging\/secrets\.yaml:2: secret 'pin' is too short to be masked in output: a secret needs at least 6 characters/],
  ['a numeric secret too short to mask', { 'pillar/staging/secrets.yaml': 'port: 5432\n' }, /pillar\/staging\/secrets\.yaml:1: secret 'port' is too short/],
  ['a nested secret too short to mask', { 'pillar/staging/secrets.yaml': 'db:\n  user: app-user\n  pw: x1\n' }, /pillar\/staging\/secrets\.yaml:3: secret 'db\.pw' is too short/],
  // Resource arguments
  ['an empty command', st('c:\n  cmd.run:\n    name: ""\n'), new RegExp(`${F}:3: .*field 'name': expected a non-empty command`)],
  ['a uid that is not a number', st('u:\n  user.present:\n    name: appuser\n    uid: abc\n'), new RegExp(`${F}:4: .*field 'uid': expected integer`)],
  ['a service that is not a unit name', st('s:\n  service.running:\n    name: "-x"\n'), new RegExp(`${F}:3: .*not a systemd unit name`)],
  ['a symlink without a target', st('@T/l:\n  file.symlink: {}\n'), new RegExp(`${F}:2: .*field 'target': is required`)],
  ['removing /', st('/:\n  file.absent: {}\n'), new RegExp(`${F}:\\d+: .*refusing to remove /`)],
  ['a ufw rule with a bad action', st('r:\n  ufw.rule:\n    action: permit\n    port: 22\n'), new RegExp(`${F}:3: .*field 'action'`)],
  ['shell: true with an argv list', st('c:\n  cmd.run:\n    name: [echo, x]\n    shell: true\n'), new RegExp(`${F}:4: .*field 'shell': an argv list runs without a shell`)],
];

const optionCases: Case[] = [
  ['an unknown --env (the known ones listed)', {}, /unknown environment 'nosuchenv' \(known: staging\)/, ['--env', 'nosuchenv']],
  ['--lock-wait that is not a number', {}, /option '--lock-wait <seconds>' argument 'abc' is invalid/, ['--lock-wait', 'abc']],
  ['--lock-wait below zero', {}, /option '--lock-wait <seconds>' argument '-5' is invalid/, ['--lock-wait', '-5']],
  ['--lock-wait with a fraction', {}, /argument '1\.5' is invalid/, ['--lock-wait', '1.5']],
  ['an unknown option', {}, /unknown option '--bogus'/, ['--bogus']],
  ['a --dir that does not exist', {}, /no top file, and no state files named/, ['--dir', '/nonexistent/brine-project']],
];

describe('bad input (bundle): refused before anything changes', () => {
  it('has at least 60 kinds', () => {
    expect(cases.length + optionCases.length).toBeGreaterThanOrEqual(60);
  });

  it.concurrent.each([...cases, ...optionCases])('%s', async (_what, files, expected, args = [], code = 1) => {
    const target = tempDir('brine-bad-');
    writeFileSync(join(target, 'existing'), 'left alone\n');
    const dir = project(target, files);
    const varDir = tempDir('brine-var-');
    const before = snapshot(target);
    const env = args.includes('--env') ? [] : ['--env', 'staging'];
    const r = await brine(['apply', ...env, '--dir', dir, ...args], { varDir });
    expect(r.code, r.out).toBe(code);
    expect(r.stderr.replaceAll(target, '@T')).toMatch(expected);
    // One line per problem: never a stack trace, never the secret.
    expect(r.out).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.out).not.toContain('internal error');
    expect(r.out).not.toContain(SECRET);
    expect(snapshot(target)).toEqual(before);
    expect(existsSync(join(varDir, 'apply.lock'))).toBe(false);
  });

  it('--allow-empty accepts a selection of nothing (exit 0, nothing changed)', async () => {
    const target = tempDir('brine-bad-');
    const dir = project(target, { 'states/top.yaml': "base:\n  'otherhost': [canary]\n" });
    const before = snapshot(target);
    const r = await brine(['apply', '--env', 'staging', '--dir', dir, '--allow-empty']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toMatch(/Total states: 0/);
    expect(snapshot(target)).toEqual(before);
  });
});
