import { describe, expect, it } from 'vitest';
import { KEY_TYPES, parseKeyLine } from '../../src/resources/ssh-auth/authorized-keys.js';
import { compileStates, results, run } from '../support/project.js';
import { KEY_A, KEY_B, KEY_C, KEY_ECDSA, KEY_RSA, accountsHost, applyAll, planOne } from './accounts-fixtures.js';

const AK = '/home/alice/.ssh/authorized_keys';
const yamlList = (keys: string[]) => keys.map((k) => `      - ${JSON.stringify(k)}\n`).join('');
const present = (keys: string[], extra = '') => `alice-keys:\n  ssh_auth.present:\n    - user: alice\n${extra}    - names:\n${yamlList(keys)}`;
const manage = (keys: string[]) => `alice-keys:\n  ssh_auth.manage:\n    - user: alice\n    - ssh_keys:\n${yamlList(keys)}`;
const absent = (keys: string[]) => `alice-keys:\n  ssh_auth.absent:\n    - user: alice\n    - names:\n${yamlList(keys)}`;
const arg = (name: string, value: unknown) => `    - ${name}: ${JSON.stringify(value)}\n`;
const [, BLOB_A] = KEY_A.split(' ');
const [, BLOB_B] = KEY_B.split(' ');
const [, BLOB_C] = KEY_C.split(' ');
const content = (host: ReturnType<typeof accountsHost>) => host.fs.get(AK)?.type === 'file' && (host.fs.get(AK) as { data: Buffer }).data.toString();

/** Plan, check nothing was written, apply, and check a second plan is empty (idempotence). */
async function converge(states: string, host = accountsHost()) {
  const plan = await planOne(states, host);
  expect(host.writes()).toEqual([]);
  expect(host.commands()).toEqual([]);
  await applyAll(plan.changes, host);
  expect((await planOne(states, host)).changes.map((c) => c.summary)).toEqual([]);
  return { plan, host };
}

describe('ssh_auth.present', () => {
  it('creates ~/.ssh 0700 and authorized_keys 0600 owned by the user, with a diff', async () => {
    const { plan, host } = await converge(present([KEY_A, `from="10.0.0.1",no-pty ${KEY_B}`]));
    expect(plan.changes.map((c) => c.summary)).toEqual(['create /home/alice/.ssh (mode 0700)', `create ${AK} (+2 keys)`]);
    expect(plan.changes[1].diff).toContain(`+from="10.0.0.1",no-pty ${KEY_B}`);
    expect(host.fs.get('/home/alice/.ssh')).toMatchObject({ type: 'directory', mode: 0o700, uid: 1000, gid: 1000 });
    expect(host.fs.get(AK)).toMatchObject({ mode: 0o600, uid: 1000, gid: 1000 });
    expect(content(host)).toBe(`${KEY_A}\nfrom="10.0.0.1",no-pty ${KEY_B}\n`);
  });

  it('keeps comments, unknown lines, order and spacing; matches keys by type+key, not comment', async () => {
    const before = `# team keys\n${KEY_A.replace(' ', '   ')}\nssh-dss AAAAB3NzaC1kc3M= legacy\n${KEY_B}\n`;
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, before, { mode: 0o600, uid: 1000, gid: 1000 });
    const renamed = KEY_B.replace(/\S+$/, 'bob laptop');
    const { plan } = await converge(present([KEY_A, renamed, KEY_C]), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([`update ${AK} (+1 key)`]);
    expect(content(host)).toBe(`# team keys\n${KEY_A.replace(' ', '   ')}\nssh-dss AAAAB3NzaC1kc3M= legacy\n${renamed}\n${KEY_C}\n`);
  });

  it('updates options in place', async () => {
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, `${KEY_A}\n${KEY_B}\n`, { mode: 0o600, uid: 1000, gid: 1000 });
    const { plan } = await converge(present([`no-pty,command="/bin/echo \\"hi there\\"" ${KEY_A}`]), host);
    expect(plan.changes[0].summary).toBe(`update ${AK} (options or comments)`);
    expect(content(host)).toBe(`no-pty,command="/bin/echo \\"hi there\\"" ${KEY_A}\n${KEY_B}\n`);
  });

  it('fixes owner and modes without rewriting a file that is already right', async () => {
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o755 }).file(AK, `${KEY_A}\n`, { mode: 0o644 });
    const { plan } = await converge(present([KEY_A]), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([
      'owner of /home/alice/.ssh 0:0 → 1000:1000',
      'mode of /home/alice/.ssh 0755 → 0700',
      `owner of ${AK} 0:0 → 1000:1000`,
      `mode of ${AK} 0644 → 0600`,
    ]);
    expect(host.writes().some((w) => w.op === 'writeFile')).toBe(false);
  });

  it('refuses to write through a symlinked ~/.ssh or authorized_keys, in the plan and again at apply', async () => {
    const host = accountsHost();
    host.fs.set('/home/alice/.ssh', { type: 'symlink', target: '/root/.ssh', uid: 1000, gid: 1000 });
    await expect(planOne(present([KEY_A]), host)).rejects.toThrow('/home/alice/.ssh is a symlink; refusing to write through it');
    const later = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 });
    const plan = await planOne(present([KEY_A]), later);
    later.fs.set(AK, { type: 'symlink', target: '/root/.ssh/authorized_keys', uid: 1000, gid: 1000 });
    await expect(applyAll(plan.changes, later)).rejects.toThrow(`${AK} is a symlink; refusing`);
    expect(later.writes()).toEqual([]);
  });

  it('reports a missing user as missing: pending in --test after the state that creates it', async () => {
    const states = `dave:\n  user.present: []\ndave-keys:\n  ssh_auth.present:\n    - user: dave\n    - name: ${JSON.stringify(KEY_A)}\n`;
    const host = accountsHost();
    const report = await run(compileStates(states), host, true);
    expect(results(report)).toEqual({ dave: 'pending', 'dave-keys': 'pending' });
    expect(report.states[1].comment).toBe('');
    // Planned against the account as user.present will make it: its ~/.ssh, then the keys.
    expect(report.states[1].changes.map((c) => c.summary)).toEqual(['create /home/dave/.ssh (mode 0700)', 'create /home/dave/.ssh/authorized_keys (+1 key)']);
    expect(report.states[1].changes[1].diff).toContain(`+${KEY_A}`);
    expect(host.writes()).toEqual([]);
  });

  it('with exclusive: true keeps exactly the listed keys', async () => {
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, `# c\n${KEY_A}\n${KEY_B}\n`, { mode: 0o600, uid: 1000, gid: 1000 });
    await converge(present([KEY_B], '    - exclusive: true\n'), host);
    expect(content(host)).toBe(`${KEY_B}\n`);
  });
});

describe('ssh_auth.manage', () => {
  it('leaves exactly these keys: a removed developer loses access', async () => {
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, `${KEY_A}\n${KEY_B}\n${KEY_C}\n`, { mode: 0o600, uid: 1000, gid: 1000 });
    const { plan } = await converge(manage([KEY_A, KEY_C]), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([`update ${AK} (-1 key)`]);
    expect(plan.changes[0].diff).toContain(`-${KEY_B}`);
    expect(content(host)).toBe(`${KEY_A}\n${KEY_C}\n`);
  });

  it('runs through the engine in apply mode and re-plans clean', async () => {
    const host = accountsHost();
    const report = await run(compileStates(manage([KEY_RSA, KEY_ECDSA])), host, false);
    expect(results(report)).toEqual({ 'alice-keys': 'changed' });
    expect(content(host)).toBe(`${KEY_RSA}\n${KEY_ECDSA}\n`);
    expect(host.commands()).toEqual([]);
  });
});

describe('ssh_auth.absent', () => {
  it('removes a key whatever its options or comment, and leaves the rest alone', async () => {
    const host = accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, `# c\nno-pty ${KEY_A.replace(/\S+$/, 'old')}\n${KEY_B}\n`, { mode: 0o600, uid: 1000, gid: 1000 });
    await converge(absent([KEY_A]), host);
    expect(content(host)).toBe(`# c\n${KEY_B}\n`);
  });

  it('does nothing when the file or the user is not there', async () => {
    const host = accountsHost();
    expect((await planOne(absent([KEY_A]), host)).changes).toEqual([]);
    expect((await planOne(absent([KEY_A]).replace('user: alice', 'user: nobody'), host)).changes).toEqual([]);
    expect(host.writes()).toEqual([]);
  });
});

describe("Salt's enc, options and comment", () => {
  const withFile = (text: string) => accountsHost().dir('/home/alice/.ssh', { mode: 0o700, uid: 1000, gid: 1000 }).file(AK, text, { mode: 0o600, uid: 1000, gid: 1000 });

  it('complete a bare key and a key line that leave them out', async () => {
    const extra = arg('enc', 'ssh-ed25519') + arg('options', ['no-pty', 'from="10.0.0.0/8"']) + arg('comment', 'alice  laptop ');
    const noComment = KEY_C.replace(/ \S+$/, '');
    const { plan, host } = await converge(present([BLOB_A, noComment], extra));
    expect(plan.changes.map((c) => c.summary)).toEqual(['create /home/alice/.ssh (mode 0700)', `create ${AK} (+2 keys)`]);
    // The comment as a key line is read back (blanks collapsed), so the re-plan is clean.
    expect(content(host)).toBe(`no-pty,from="10.0.0.0/8" ssh-ed25519 ${BLOB_A} alice laptop\nno-pty,from="10.0.0.0/8" ${noComment} alice laptop\n`);
  });

  it('keep what a key line carries when the argument says the same', async () => {
    const { host } = await converge(present([`no-pty ${KEY_A}`], arg('enc', 'ssh-ed25519') + arg('options', ['no-pty']) + arg('comment', 'a@test')));
    expect(content(host)).toBe(`no-pty ${KEY_A}
`);
  });

  it('rewrite a present key whose options or comment differ; match by type and key alone', async () => {
    const host = withFile(`# c
${KEY_A}
no-pty ${KEY_B}
`);
    const { plan } = await converge(present([BLOB_A, BLOB_B], arg('enc', 'ssh-ed25519') + arg('options', 'restrict') + arg('comment', 'alice')), host);
    expect(plan.changes.map((c) => c.summary)).toEqual([`update ${AK} (options or comments)`]);
    expect(content(host)).toBe(`# c
restrict ssh-ed25519 ${BLOB_A} alice
restrict ssh-ed25519 ${BLOB_B} alice
`);
  });

  it('apply to ssh_keys of manage (a bare key may bring its comment), and absent finds a bare key by enc', async () => {
    const host = withFile(`${KEY_A}\n${KEY_B}\n`);
    await converge(`k:\n  ssh_auth.manage:\n    - user: alice\n${arg('enc', 'ssh-ed25519')}${arg('ssh_keys', [BLOB_A, `${BLOB_C}  c   laptop`])}${arg('options', ['no-agent-forwarding'])}`, host);
    expect(content(host)).toBe(`no-agent-forwarding ssh-ed25519 ${BLOB_A}\nno-agent-forwarding ssh-ed25519 ${BLOB_C} c laptop\n`);
    const other = withFile(`no-pty ${KEY_A}\n${KEY_B}\n`);
    await converge(`k:\n  ssh_auth.absent:\n    - user: alice\n${arg('enc', 'ssh-ed25519')}${arg('comment', 'ignored when removing')}${arg('name', BLOB_A)}`, other);
    expect(content(other)).toBe(`${KEY_B}\n`);
  });
});

describe('key validation at compile time', () => {
  const fails = (states: string) => {
    try {
      compileStates(states);
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };

  it('names file, line, field and which key is wrong', () => {
    const [type, b64, comment] = KEY_A.split(' ');
    const truncated = `${type} ${b64.slice(0, -5)} ${comment}`;
    const message = fails(present([KEY_A, truncated, 'ssh-foo AAAA x', KEY_RSA.replace('ssh-rsa', 'ssh-ed25519'), 'not a key']));
    expect(message).toMatch(/^4 problems:/);
    expect(message).toContain("states/main.yaml:4: state 'alice-keys', field 'names': key 2: the key after ssh-ed25519 is not valid base64");
    expect(message).toContain('key 3: unknown key type "ssh-foo"');
    expect(message).toContain('key 4: the key says it is "ssh-rsa", but the line says ssh-ed25519');
    expect(message).toContain('key 5: not a key line');
    expect(fails(`k:\n  ssh_auth.present:\n    - user: alice\n    - name: ${JSON.stringify(KEY_A.slice(0, 40))}\n`)).toContain(
      "states/main.yaml:4: state 'k', field 'name': the ssh-ed25519 key is truncated",
    );
    expect(fails(manage([KEY_A, KEY_A.replace(/\S+$/, 'again')]))).toContain("field 'ssh_keys': key 2: the same key is listed twice");
    expect(fails('k:\n  ssh_auth.manage:\n    - user: alice\n')).toContain("field 'ssh_keys': is required");
  });

  it('refuses a key with a line break inside: it would add a line the state never listed', () => {
    // A YAML block scalar can carry one inside quoted options, where the options syntax allows any character.
    expect(fails(present([`command="true\n${KEY_B}" ${KEY_A}`]))).toContain("field 'names': key 1: a key line must be one line (it contains a line break)");
    expect(parseKeyLine(`${KEY_A}\r\n`)).toMatchObject({ comment: 'a@test' });
  });

  it('refuses a bare key without enc, or one enc contradicts, naming the argument', () => {
    expect(fails(`k:\n  ssh_auth.present:\n    - user: alice\n    - name: ${BLOB_A}\n`)).toBe(
      "states/main.yaml:4: state 'k', field 'name': a bare key needs its type in enc (this one says it is ssh-ed25519)",
    );
    expect(fails(present([BLOB_A], arg('enc', 'ssh-rsa')))).toContain("field 'names': key 1: the key says it is \"ssh-ed25519\", but enc says ssh-rsa");
    expect(fails(present([BLOB_A.slice(0, -5)], arg('enc', 'ssh-ed25519')))).toContain("field 'names': key 1: the key is not valid base64");
  });

  it('refuses an enc OpenSSH does not know, once, and points Salt users at the full name', () => {
    const message = fails(present([BLOB_A, BLOB_B], arg('enc', 'ssh-foo')));
    expect(message).toBe(`states/main.yaml:4: state 'alice-keys', field 'enc': unknown key type "ssh-foo" (known: ${KEY_TYPES.join(', ')})`);
    expect(fails(present([BLOB_A], arg('enc', 'ed25519')))).toContain(`field 'enc': "ed25519" is Salt's short name: write ssh-ed25519`);
    expect(KEY_TYPES).toContain('ssh-dss');
  });

  it('reports a key line whose type, options or comment the arguments contradict, instead of picking one', () => {
    const message = fails(present([`no-pty ${KEY_A}`, KEY_B], arg('enc', 'ssh-rsa') + arg('options', ['restrict']) + arg('comment', 'alice')));
    expect(message).toMatch(/^5 problems:/);
    expect(message).toContain(`states/main.yaml:7: state 'alice-keys', field 'names': key 1: the line is ssh-ed25519, but enc says ssh-rsa`);
    expect(message).toContain(`key 1: the line has options "no-pty", but options says "restrict"`);
    expect(message).toContain(`key 1: the line has comment "a@test", but comment says "alice"`);
    expect(message).toContain(`key 2: the line is ssh-ed25519, but enc says ssh-rsa`);
    expect(message).toContain(`key 2: the line has comment "b@test", but comment says "alice"`);
    expect(fails(present([`${BLOB_A} laptop`], arg('enc', 'ssh-ed25519') + arg('comment', 'desk')))).toContain(
      `key 1: the line has comment "laptop", but comment says "desk"`,
    );
  });

  it('refuses options with line breaks, unbalanced quotes or bad syntax, and a comment with a line break', () => {
    const message = fails(present([KEY_A], arg('options', ['no-pty', 'from="10.0.0.0/8', 'command="a\nb"', 'no pty']) + arg('comment', 'a\nssh-rsa AAAA')));
    expect(message).toMatch(/^4 problems:/);
    expect(message).toContain(`states/main.yaml:4: state 'alice-keys', field 'options': option 2: unbalanced double quotes in "from=\\"10.0.0.0/8"`);
    expect(message).toContain("field 'options': option 3: must be one line (it contains a line break)");
    expect(message).toContain(`field 'options': option 4: malformed option "no pty" (expected NAME or NAME="VALUE", e.g. no-pty or from="10.0.0.0/8")`);
    expect(message).toContain("states/main.yaml:5: state 'alice-keys', field 'comment': must be one line (it contains a line break)");
    expect(fails(present([KEY_A], arg('options', 'from="a\\"b"')))).toBe('');
  });

  it('accepts every known type, options with quoted blanks, and security keys', () => {
    for (const k of [KEY_A, KEY_RSA, KEY_ECDSA]) expect(parseKeyLine(k)).toMatchObject({ options: '' });
    expect(parseKeyLine(`from="10.0.0.1",command="echo \\"a b\\"",no-pty ${KEY_A}`)).toMatchObject({ options: 'from="10.0.0.1",command="echo \\"a b\\"",no-pty', comment: 'a@test' });
    const sk = (type: string) => {
      const str = (s: string | Buffer) => Buffer.concat([Buffer.from([0, 0, 0, Buffer.byteLength(s)]), Buffer.from(s)]);
      return `${type} ${Buffer.concat([str(type), str(Buffer.alloc(32, 7)), str('ssh:')]).toString('base64')} yubikey`;
    };
    expect(parseKeyLine(sk('sk-ssh-ed25519@openssh.com'))).toMatchObject({ type: 'sk-ssh-ed25519@openssh.com', comment: 'yubikey' });
    expect(parseKeyLine(`no-pty,bad option ${KEY_A}`)).toBe('malformed options: a blank outside double quotes before "option"');
  });
});
