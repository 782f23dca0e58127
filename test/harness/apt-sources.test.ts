import { describe, expect, it } from 'vitest';
import { debianSourceLines, parseDeb822, parseOneLine, pickDebianMirrors } from './apt-sources.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: https://deb.nodesource.example/node_20.x
Suites: nodistro
Components: main

Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
`;

describe('apt sources', () => {
  it('parses deb822 paragraphs, skipping comments and disabled ones', () => {
    const e = parseDeb822(DEB822);
    expect(e.map((x) => x.uris[0])).toEqual([
      'http://mirror.example/debian',
      'http://mirror.example/debian-security',
      'https://deb.nodesource.example/node_20.x',
    ]);
    expect(e[0].suites).toEqual(['bookworm', 'bookworm-updates']);
  });

  it('picks Debian archive and security for the host release, never third-party repos', () => {
    const m = pickDebianMirrors(parseDeb822(DEB822), 'bookworm');
    expect(m).toEqual({ archive: 'http://mirror.example/debian', security: 'http://mirror.example/debian-security' });
    expect(debianSourceLines('bookworm', m)).toEqual([
      'deb http://mirror.example/debian bookworm main',
      'deb http://mirror.example/debian bookworm-updates main',
      'deb http://mirror.example/debian-security bookworm-security main',
    ]);
  });

  it('parses one-line sources with options and comments', () => {
    const e = parseOneLine(
      '# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main contrib\n' +
        'deb https://packages.cloud.example/apt cloud-sdk-bookworm main\ndeb-src http://m.example/debian bookworm main\n',
    );
    expect(e[0]).toEqual({ types: ['deb'], uris: ['http://m.example/debian'], suites: ['bookworm'], components: ['main', 'contrib'] });
    expect(pickDebianMirrors(e, 'bookworm')).toEqual({ archive: 'http://m.example/debian', security: undefined });
  });

  it('fails clearly when no Debian entry exists', () => {
    expect(() => pickDebianMirrors(parseDeb822('Types: deb\nURIs: http://x\nSuites: nodistro\nComponents: main\n'), 'bookworm')).toThrow(
      /no Debian 'bookworm' main entry/,
    );
  });
});
