// `brine init`: writes the shipped stack (states/, pillar/, a .gitignore line) into a project,
// never overwriting a file that differs unless forced, and tells what it wrote.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { BrineError } from '../core/errors.js';

export interface InitOptions {
  dir: string;
  force: boolean;
  /** Only the two top files (and the .gitignore line): a tree to fill in by hand. */
  minimal: boolean;
  /** Where the shipped stack and schemas are (the installed package's root). */
  stackRoot: string;
  /** Who the generated devs.yaml names, and where their public keys are. */
  user?: string;
  sshDir?: string;
}

export interface InitResult {
  created: string[];
  unchanged: string[];
  /** Files that exist with other content: written only with --force. */
  conflicts: string[];
  overwritten: string[];
  /** Lines said to the user besides the lists (no key found, …). */
  notes: string[];
}

/** Schemas live in the project so the modeline is a relative path that works on every clone. */
export const SCHEMA_DIR = '.brine/schemas';
const GITIGNORE_LINE = 'pillar/*/secrets.yaml';

/** The package root of the running brine: dist/brine.js's parent, with npm's bin link resolved. */
export function packageRoot(entry = process.argv[1] ?? ''): string {
  return resolve(dirname(realpathSync(entry)), '..');
}

export function initProject(o: InitOptions): InitResult {
  if (!existsSync(join(o.stackRoot, 'states', 'top.yaml'))) {
    throw new BrineError(`the shipped stack is missing from ${o.stackRoot} (states/top.yaml): reinstall brine`);
  }
  const files: Files = o.minimal ? minimalFiles() : stackFiles(o);
  for (const [path, content] of [...files]) {
    const schema = schemaFor(path);
    if (schema && !o.minimal) files.set(path, withModeline(content.toString('utf8'), path, schema));
  }
  const result: InitResult = { created: [], unchanged: [], conflicts: [], overwritten: [], notes: [] };
  for (const [path, text] of files) {
    const at = join(o.dir, path);
    const old = existsSync(at) ? readFileSync(at) : null;
    if (old === null) result.created.push(path);
    else if (old.equals(Buffer.from(text))) result.unchanged.push(path);
    else if (path.startsWith(SCHEMA_DIR + '/')) result.overwritten.push(path); // brine's own, kept current
    else (o.force ? result.overwritten : result.conflicts).push(path);
  }
  if (result.conflicts.length) return result;
  for (const path of [...result.created, ...result.overwritten]) {
    const at = join(o.dir, path);
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, files.get(path)!);
  }
  if (addGitignore(o.dir)) result.notes.push(`.gitignore: added ${GITIGNORE_LINE}`);
  if (!o.minimal && !devKey(o)) {
    result.notes.push(`no public key in ${o.sshDir ?? join(homedir(), '.ssh')}: add yours to pillar/devs.yaml (the states refuse to run without an admin who has a key)`);
  }
  return result;
}

/** Path → content; Buffers so that binary files (images, keys) travel byte for byte. */
type Files = Map<string, Buffer | string>;

function minimalFiles(): Files {
  return new Map<string, Buffer | string>([
    ['states/top.yaml', "# State top file: ENV → TARGET ('*', a hostname glob, roles:NAME) → [state files].\nbase:\n  '*': []\n"],
    ['pillar/top.yaml', "# Pillar top file: ENV → TARGET → [pillar files], deep-merged in order.\nbase:\n  '*': []\n"],
  ]);
}

/** Every file of the shipped stack, as it will be written (devs.yaml made for this user). */
function stackFiles(o: InitOptions): Files {
  const files: Files = new Map();
  for (const path of walk(join(o.stackRoot, 'states'))) files.set(posix.join('states', path), readFileSync(join(o.stackRoot, 'states', path)));
  for (const path of walk(join(o.stackRoot, 'pillar'))) {
    if (/(^|\/)secrets\.ya?ml$/.test(path) || path === 'devs.yaml') continue;
    files.set(posix.join('pillar', path), readFileSync(join(o.stackRoot, 'pillar', path)));
  }
  files.set('pillar/devs.yaml', devsYaml(o));
  // The example app `app.source` names: a starting point to replace with the project's own.
  for (const path of walk(join(o.stackRoot, 'example'))) {
    if (!/(^|\/)(__pycache__|\.pytest_cache)(\/|$)|\.pyc$/.test(path)) files.set(posix.join('example', path), readFileSync(join(o.stackRoot, 'example', path)));
  }
  const schemas = join(o.stackRoot, 'dist', 'schemas');
  for (const name of existsSync(schemas) ? readdirSync(schemas).sort() : []) {
    files.set(`${SCHEMA_DIR}/${name}`, readFileSync(join(schemas, name)));
  }
  return files;
}

function walk(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, name)).isDirectory()) out.push(...walk(join(dir, name), path));
    else out.push(path);
  }
  return out;
}

/** The first ~/.ssh/*.pub key, or undefined. */
function devKey(o: InitOptions): string | undefined {
  const dir = o.sshDir ?? join(homedir(), '.ssh');
  if (!existsSync(dir)) return undefined;
  const pub = readdirSync(dir).filter((n) => n.endsWith('.pub')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of pub) {
    const line = readFileSync(join(dir, name), 'utf8').split('\n')[0].trim();
    if (/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(line)) return line;
  }
  return undefined;
}
/** ed25519 first: the key type the hardened sshd prefers. */
const rank = (name: string) => (name.includes('ed25519') ? 0 : 1);

function devsYaml(o: InitOptions): string {
  // root is no developer: the states would manage root's own keys and groups.
  const login = (o.user || process.env.SUDO_USER || process.env.USER || userInfo().username).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const user = !login || login === 'root' ? 'admin' : login;
  const key = devKey(o);
  return [
    '# Who may log in: an account, exactly these keys, the SSH login group, and with `sudo: true`',
    '# passwordless sudo. The states refuse to run unless some developer has a key and sudo.',
    '# To take access away, move a name to devs_absent.',
    'devs:',
    `  ${user}:`,
    key ? `    public_keys:\n      - ${JSON.stringify(key)}` : '    public_keys: []   # add your public key (ssh-ed25519 AAAA… you@host)',
    '    sudo: true',
    'devs_absent: []',
    '',
  ].join('\n');
}

/** Which schema an editor should check a file against, if any. */
function schemaFor(path: string): string | undefined {
  if (!/\.ya?ml$/.test(path)) return undefined;
  if (path.startsWith('states/') && !path.endsWith('/top.yaml') && !/\/files\//.test(path)) return 'state.schema.json';
  if (path.startsWith('pillar/') && !path.endsWith('top.yaml') && !path.includes('secrets')) return 'pillar.schema.json';
  return undefined;
}

function withModeline(text: string, path: string, schema: string): string {
  const rel = relative(dirname(path), `${SCHEMA_DIR}/${schema}`);
  const line = `# yaml-language-server: $schema=${rel}`;
  return text.startsWith('# yaml-language-server:') ? text.replace(/^.*\n/, line + '\n') : `${line}\n${text}`;
}

/** Adds the secrets line to .gitignore unless an equivalent is there; true when it wrote. */
function addGitignore(dir: string): boolean {
  const at = join(dir, '.gitignore');
  const text = existsSync(at) ? readFileSync(at, 'utf8') : '';
  const lines = text.split('\n').map((l) => l.trim());
  if (lines.some((l) => [GITIGNORE_LINE, 'secrets.yaml', '**/secrets.yaml', 'pillar/**/secrets.yaml'].includes(l))) return false;
  const sep = text && !text.endsWith('\n') ? '\n' : '';
  writeFileSync(at, `${text}${sep}# brine: real secrets never go into git\n${GITIGNORE_LINE}\n`);
  return true;
}
