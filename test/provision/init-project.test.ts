// `brine init` on its own: what it writes, what it leaves, and binary files byte for byte.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initProject } from '../../src/provision/init-project.js';
import { tempDir } from '../support/temp.js';

const temp = () => tempDir('brine-init-');

function stack(): string {
  const root = temp();
  const files: Record<string, string | Buffer> = {
    'states/top.yaml': "base:\n  '*': [web]\n",
    'states/web.yaml': 'nginx:\n  pkg.installed: []\n',
    'states/web/files/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x80]),
    'pillar/top.yaml': "base:\n  '*': [devs]\n",
    'pillar/devs.yaml': 'devs: {example: {}}\n',
    'pillar/staging/env.yaml': 'hosts: []\n',
    'pillar/staging/secrets.yaml': 'SECRET_KEY: real-one\n',
    'pillar/staging/secrets.example.yaml': 'SECRET_KEY: replace-me\n',
    'dist/schemas/state.schema.json': '{}\n',
  };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

describe('brine init', () => {
  it('writes the stack with this user as admin, never a real secrets.yaml, binary files intact', () => {
    const root = stack();
    const dir = temp();
    const ssh = temp();
    writeFileSync(join(ssh, 'id_rsa.pub'), 'ssh-rsa AAAArsa me@host\n');
    writeFileSync(join(ssh, 'id_ed25519.pub'), 'ssh-ed25519 AAAAed me@host\n');
    const r = initProject({ dir, force: false, minimal: false, stackRoot: root, user: 'Maria', sshDir: ssh });
    expect(r.conflicts).toEqual([]);
    expect(r.created).toContain('states/web.yaml');
    expect(existsSync(join(dir, 'pillar/staging/secrets.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'pillar/staging/secrets.example.yaml'), 'utf8')).toContain('replace-me');
    expect(readFileSync(join(dir, 'states/web/files/logo.png'))).toEqual(readFileSync(join(root, 'states/web/files/logo.png')));
    const devs = readFileSync(join(dir, 'pillar/devs.yaml'), 'utf8');
    expect(devs).toContain('  maria:\n    public_keys:\n      - "ssh-ed25519 AAAAed me@host"\n    sudo: true');
    expect(readFileSync(join(dir, 'states/web.yaml'), 'utf8')).toBe('# yaml-language-server: $schema=../.brine/schemas/state.schema.json\nnginx:\n  pkg.installed: []\n');
    expect(r.notes).toEqual(['.gitignore: added pillar/*/secrets.yaml']);
  });

  it('says when there is no key to put in devs.yaml, and never names root as a developer', () => {
    const dir = temp();
    const r = initProject({ dir, force: false, minimal: false, stackRoot: stack(), user: 'root', sshDir: join(temp(), 'none') });
    expect(r.notes.some((n) => n.startsWith('no public key'))).toBe(true);
    expect(readFileSync(join(dir, 'pillar/devs.yaml'), 'utf8')).toContain('  admin:\n    public_keys: []');
  });

  it('lists files it would overwrite and writes nothing; --force overwrites; --minimal writes the top files only', () => {
    const root = stack();
    const dir = temp();
    mkdirSync(join(dir, 'states'));
    writeFileSync(join(dir, 'states/top.yaml'), 'mine\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\nsecrets.yaml\n');
    const r = initProject({ dir, force: false, minimal: false, stackRoot: root, user: 'a', sshDir: temp() });
    expect(r.conflicts).toEqual(['states/top.yaml']);
    expect(existsSync(join(dir, 'states/web.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'states/top.yaml'), 'utf8')).toBe('mine\n');
    expect(initProject({ dir, force: true, minimal: false, stackRoot: root, user: 'a', sshDir: temp() }).overwritten).toEqual(['states/top.yaml']);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\nsecrets.yaml\n'); // already ignored

    const small = temp();
    const m = initProject({ dir: small, force: false, minimal: true, stackRoot: root });
    expect(m.created.sort()).toEqual(['pillar/top.yaml', 'states/top.yaml']);
  });
});
