// Secrets never show, through the real bundle: every channel brine writes (human report, --json,
// report file, run log, backups' names, process arguments during a slow command, the scratch
// dir) is searched for every shape of secret: long, multi-line, with YAML and shell specials,
// inside a state ID — and one too short to mask is refused before anything runs.
import { execa } from 'execa';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';
import { BUNDLE, snapshot } from './support.js';

const LONG = 'tok-3f9a8c7e1d2b9a7c';
const MULTI_LINES = ['first-line-9c1e2d', 'Zq', 'last-line-77ab31'];
const SPECIAL = `w0rd's "q" $HOME & | ; #x: {y}`;
const IN_ID = 'idpart-7d1e9c44';
const SECRETS_YAML = [
  `long: ${LONG}`,
  `multi: ${JSON.stringify(MULTI_LINES.join('\n') + '\n')}`,
  `special: ${JSON.stringify(SPECIAL)}`,
  `in_id: ${IN_ID}`,
].join('\n');

/** Every form in which a secret could leak (the special one also as JSON and shell-escaped). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const v of [LONG, IN_ID, SPECIAL, JSON.stringify(SPECIAL).slice(1, -1), MULTI_LINES[0], MULTI_LINES[2], MULTI_LINES.join('\n')]) {
    if (text.includes(v)) found.push(v);
  }
  // A short line of a multi-line secret shows as a line of its own (a diff line).
  if (/^[+\- ]?\s*Zq\s*$/m.test(text)) found.push('Zq (a line of the multi-line secret)');
  return found;
}

function project(target: string, greeting: string): string {
  return makeProject({
    'states/top.yaml': "base:\n  '*': [s]\n",
    'states/s.yaml': `
${target}/owner-{{secrets.in_id}}.txt:
  file.managed:
    contents: {{yaml pillar.greeting}}
${target}/multi.pem:
  file.managed:
    contents: {{yaml secrets.multi}}
    mode: 600
${target}/special.txt:
  file.managed:
    contents: {{yaml secrets.special}}
    check_cmd: [sh, -c, 'sleep 1; grep -q . "$0"']
slow-echo:
  cmd.run:
    name: [sh, -c, 'read x; sleep 2; echo "got $x"']
    stdin: {{yaml secrets.long}}
    creates: ${target}/never
fails-loudly:
  cmd.run:
    name: [sh, -c, 'cat >&2; exit 3']
    stdin: {{yaml secrets.special}}
    creates: ${target}/never
`,
    'pillar/top.yaml': "base:\n  '*': [common]\nprod:\n  '*': [prod.secrets]\n",
    'pillar/common.yaml': `greeting: ${greeting}\n`,
    'pillar/prod/secrets.yaml': SECRETS_YAML + '\n',
  });
}

/** Runs the bundle while sampling every process's arguments (what `ps` shows). */
async function applyWatchingPs(args: string[], varDir: string): Promise<{ code: number; stdout: string; stderr: string; ps: string; scratchModes: string[] }> {
  const child = execa('node', [BUNDLE, ...args], { reject: false, env: { BRINE_VAR_DIR: varDir, NO_COLOR: '1' } });
  let ps = '';
  const scratchModes: string[] = [];
  const sample = setInterval(() => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        ps += readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') + '\n';
      } catch {
        // gone meanwhile
      }
    }
    // The scratch dir of this run, while a validator looks at the candidate: 0700 and 0600.
    for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(`brine-scratch-${child.pid}-`))) {
      try {
        const dir = join(tmpdir(), name);
        scratchModes.push(`dir ${(statSync(dir).mode & 0o777).toString(8)}`);
        for (const f of readdirSync(dir)) scratchModes.push(`file ${(statSync(join(dir, f)).mode & 0o777).toString(8)}`);
      } catch {
        // removed meanwhile
      }
    }
  }, 50);
  const r = await child;
  clearInterval(sample);
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ps, scratchModes };
}

describe('secrets in every channel', () => {
  it('never shows long, multi-line, special or in-ID secrets: human, --json, report file, run log, backups, ps, scratch', async () => {
    const target = tempDir('brine-secret-target-');
    const varDir = tempDir('brine-secret-var-');
    const runLog = join(varDir, 'runs.jsonl');
    const report = join(varDir, 'report.json');
    // An old multi-line file, so the diff has lines to remove and add.
    writeFileSync(join(target, 'multi.pem'), 'old-first\nZq\nold-last\n');
    const dir = project(target, 'hello');
    const common = ['--env', 'prod', '--dir', dir, '--run-log', runLog, '--report-file', report];

    const runs = [
      await applyWatchingPs(['apply', '--test', ...common], varDir),
      await applyWatchingPs(['apply', '--test', '--json', ...common], varDir),
      await applyWatchingPs(['apply', ...common], varDir),
    ];
    // A second apply replaces the file named with a secret: its backup must not be named with it.
    writeFileSync(join(dir, 'pillar/common.yaml'), 'greeting: hello again\n');
    runs.push(await applyWatchingPs(['apply', '--json', ...common], varDir));

    // --test: pending (2); applied, fails-loudly fails (1).
    expect(runs.map((r) => r.code)).toEqual([2, 2, 1, 1]);
    for (const r of runs) {
      expect(leaks(r.stdout), 'stdout').toEqual([]);
      expect(leaks(r.stderr), 'stderr').toEqual([]);
      expect(leaks(r.ps), 'process arguments').toEqual([]);
    }
    // The masked forms are there: the ID, the diff of the multi-line file, the command's output.
    const human = runs[0].stdout;
    expect(human).toContain(`${target}/owner-********.txt`);
    expect(human).toMatch(/^ +\+\*{8}$/m);
    expect(human).toMatch(/^ +-\*{8}$/m); // a file holding secrets: its removed lines hidden whole
    expect(runs[2].stdout).toContain('got ********');
    expect(runs[2].stdout).toMatch(/Comment: command failed \(exit 3\)[\s\S]*\*{8}/);
    expect(JSON.parse(runs[1].stdout).states.map((s: { id: string }) => s.id)).toContain(`${target}/owner-********.txt`);

    expect(leaks(readFileSync(report, 'utf8')), 'report file').toEqual([]);
    expect(statSync(report).mode & 0o777).toBe(0o600);
    const log = readFileSync(runLog, 'utf8');
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(leaks(log), 'run log').toEqual([]);

    const backups = readdirSync(join(varDir, 'backup'), { recursive: true }).map(String);
    expect(backups.length).toBeGreaterThan(0);
    expect(leaks(backups.join('\n')), "backups' names").toEqual([]);

    // Validators saw the candidate in a private scratch dir, removed when each run ended.
    expect(runs.flatMap((r) => r.scratchModes)).toContain('dir 700');
    expect(new Set(runs.flatMap((r) => r.scratchModes).filter((m) => m.startsWith('file')))).toEqual(new Set(['file 600']));
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('brine-scratch-') && leaksIn(join(tmpdir(), n)))).toEqual([]);

    // The host got the real values.
    expect(readFileSync(join(target, `owner-${IN_ID}.txt`), 'utf8')).toBe('hello again\n');
    expect(readFileSync(join(target, 'special.txt'), 'utf8')).toBe(`${SPECIAL}\n`);
    expect(readFileSync(join(target, 'multi.pem'), 'utf8')).toBe(MULTI_LINES.join('\n') + '\n');
  }, 120_000);

  it('refuses a secret too short to mask, naming the key and the minimum, never the value', async () => {
    const target = tempDir('brine-secret-target-');
    const dir = project(target, 'hello');
    writeFileSync(join(dir, 'pillar/prod/secrets.yaml'), SECRETS_YAML + '\npin: "7%3"\n');
    const before = snapshot(target);
    const r = await execa('node', [BUNDLE, 'apply', '--env', 'prod', '--dir', dir], { reject: false, env: { BRINE_VAR_DIR: tempDir('brine-var-'), NO_COLOR: '1' } });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/pillar\/prod\/secrets\.yaml:5: secret 'pin' is too short to be masked in output: a secret needs at least 6 characters/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('7%3');
    expect(leaks(`${r.stdout}${r.stderr}`)).toEqual([]);
    expect(snapshot(target)).toEqual(before);
  });
});

/** A scratch dir left behind that still holds any secret. */
function leaksIn(dir: string): boolean {
  try {
    return readdirSync(dir, { recursive: true }).some((f) => {
      try {
        return leaks(readFileSync(join(dir, String(f)), 'utf8')).length > 0;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
