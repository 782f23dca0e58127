// known_hosts as ssh reads it, fingerprints as ssh prints them, and why ssh refused a key.
import { describe, expect, it } from 'vitest';
import { diagnose, explain, type Situation } from '../../src/provision/host-keys/diagnose.js';
import { EC, EC_FP, ED, ED_FP, fakeKey } from './host-key-support.js';
import { fingerprint, hostMatches, isKnown, keyFamily, keysFor, knownHostsName, parseKnownHosts, withHostKeys } from '../../src/provision/host-keys/known-hosts.js';

const ED_NEW = fakeKey('ssh-ed25519', 'another ed25519 key');
// `ssh-keygen -H` of "10.0.0.5 …" and "[web.example.com]:2222 …".
const HASHED_10_0_0_5 = '|1|LTU5IIdAs4Or1W3pIlNnjDUnwTw=|tlq1zCtEFLAVHcyUy+af7AWF08M=';
const HASHED_WEB_2222 = '|1|OysEptValzjfzaulXuBsiKvU9i8=|/fsvyKmARbMs7H4gbeBcpWdTEhA=';

describe('known_hosts', () => {
  it('computes fingerprints exactly as ssh prints them', () => {
    expect(fingerprint(ED.blob)).toBe(ED_FP);
    expect(fingerprint(EC.blob)).toBe(EC_FP);
    expect([ED, EC, { type: 'ssh-rsa' }, { type: 'ecdsa-sha2-nistp521' }].map((k) => keyFamily(k.type))).toEqual(['ED25519', 'ECDSA', 'RSA', 'ECDSA']);
  });

  it('reads entries with their line numbers, markers, and skips comments and junk', () => {
    const text = `# team file\n\n10.0.0.5 ${ED.type} ${ED.blob}\n@cert-authority *.example.com ${EC.type} ${EC.blob}\nnot a key line\n@revoked 10.0.0.5 ${EC.type} ${EC.blob} comment\n`;
    const entries = parseKnownHosts(text, 'f');
    expect(entries.map((e) => [e.line, e.hosts, e.marker ?? ''])).toEqual([
      [3, '10.0.0.5', ''],
      [4, '*.example.com', 'cert-authority'],
      [6, '10.0.0.5', 'revoked'],
    ]);
    expect(keysFor(entries, '10.0.0.5').map((e) => e.line)).toEqual([3]);
    expect(isKnown(entries, 'web.example.com')).toBe(true); // vouched for by the CA line
    expect(isKnown(entries, '10.0.0.6')).toBe(false);
  });

  it('matches hashed names, ports, patterns and negations as ssh does', () => {
    expect(hostMatches(HASHED_10_0_0_5, '10.0.0.5')).toBe(true);
    expect(hostMatches(HASHED_10_0_0_5, '10.0.0.6')).toBe(false);
    expect(hostMatches(HASHED_WEB_2222, knownHostsName('web.example.com', 2222))).toBe(true);
    expect(hostMatches(HASHED_WEB_2222, 'web.example.com')).toBe(false);
    expect(hostMatches('10.0.0.5,web1', 'web1')).toBe(true);
    expect(hostMatches('*.example.com,!db.example.com', 'web.example.com')).toBe(true);
    expect(hostMatches('*.example.com,!db.example.com', 'db.example.com')).toBe(false);
    expect(hostMatches('10.0.0.?', '10.0.0.5')).toBe(true);
    expect(hostMatches('10.0.0.?', '10.0.0.50')).toBe(false);
    expect(hostMatches('Web1', 'web1')).toBe(true);
  });

  it("replaces only the host's own lines, keeping comments, other hosts and hand-written patterns", () => {
    const text = `# ours\n10.0.0.5 ${ED.type} ${ED.blob}\n10.0.0.5 ${EC.type} ${EC.blob}\n10.0.0.6 ${ED.type} ${ED.blob}\n10.0.0.5,web1 ${EC.type} ${EC.blob}\n`;
    expect(withHostKeys(text, '10.0.0.5', [ED_NEW])).toBe(
      `# ours\n10.0.0.6 ${ED.type} ${ED.blob}\n10.0.0.5,web1 ${EC.type} ${EC.blob}\n10.0.0.5 ${ED_NEW.type} ${ED_NEW.blob}\n`,
    );
    const fresh = withHostKeys(null, '[h]:2222', [ED]);
    expect(fresh).toMatch(/^# SSH host keys .*\n# .*Commit this file\.\n\[h\]:2222 ssh-ed25519 AAAA/);
  });
});

describe('diagnose', () => {
  const entries = (text: string) => keysFor(parseKnownHosts(text, '/home/u/.ssh/known_hosts'), '10.0.0.5');
  const situation: Situation = {
    host: '10.0.0.5',
    name: '10.0.0.5',
    env: 'staging',
    looked: ['~/.ssh/known_hosts', 'pillar/staging/known_hosts'],
    offered: [ED_NEW],
    projectFile: 'pillar/staging/known_hosts',
    show: (f) => f.replace('/home/u', '~'),
  };

  it('unknown: no entry at all; the message shows what the server offers and both ways to trust it', () => {
    const d = diagnose([], [ED_NEW]);
    expect(d.kind).toBe('unknown');
    const text = explain(d, situation, '');
    expect(text.split('\n')[0]).toMatch(/^host key unknown .*brine provision staging --accept-new.*host_keys:/);
    expect(text).toContain(`ED25519 ${fingerprint(ED_NEW.blob)}`);
    expect(text).toContain('~/.ssh/known_hosts, pillar/staging/known_hosts');
  });

  it('changed: old and new fingerprints, the file and line, and no --accept-new shortcut around it', () => {
    const d = diagnose(entries(`# x\n10.0.0.5 ${ED.type} ${ED.blob}\n`), [ED_NEW, EC]);
    expect(d.kind).toBe('changed');
    const text = explain(d, situation, '');
    expect(text.split('\n')[0]).toBe(`host key CHANGED (ED25519 ${ED_FP} is now ${fingerprint(ED_NEW.blob)}): nothing was done; see below before trusting it`);
    expect(text).toContain(`~/.ssh/known_hosts: line 2 (ssh-keygen -R '10.0.0.5' -f '/home/u/.ssh/known_hosts')`);
    expect(text).toContain('(~/.ssh/known_hosts:2)');
  });

  it('gone: every recorded key is of a type the server no longer offers', () => {
    const d = diagnose(entries(`10.0.0.5 ${EC.type} ${EC.blob}\n`), [ED_NEW]);
    expect(d).toMatchObject({ kind: 'gone' });
    const text = explain(d, situation, '');
    expect(text.split('\n')[0]).toBe('the server no longer offers the host key type recorded for it (ECDSA in ~/.ssh/known_hosts:1): nothing was done; see below');
    expect(text).toContain(`ECDSA   ${EC_FP}`);
    expect(text).toContain(`It offers:\n    ED25519 ${fingerprint(ED_NEW.blob)}`);
  });

  it('a matching key (the other families gone) is not a key problem: ssh is quoted', () => {
    const d = diagnose(entries(`10.0.0.5 ${ED.type} ${ED.blob}\n10.0.0.5 ${EC.type} ${EC.blob}\n`), [ED]);
    expect(d.kind).toBe('other');
    expect(explain(d, situation, 'Host key verification failed.')).toContain('ssh said:\n    Host key verification failed.');
  });
});
