// How brine trusts each host's SSH key: pillar/<env>/known_hosts (the team's record) beside the
// user's own known_hosts, or the host_keys: fingerprints in env.yaml, pinned; first contact with
// --accept-new; a clear error whenever ssh refuses a key; the record kept current after runs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { HostKeyError, UnreachableError } from '../../core/errors.js';
import { LocalHost } from '../../host/local.js';
import type { Target } from '../inventory.js';
import type { Spawn } from '../runner.js';
import type { SshSettings } from '../ssh.js';
import { diagnose, explain, indent, pinMismatch, type Situation } from './diagnose.js';
import { fingerprint, isKnown, keyFamily, keysFor, parseKnownHosts, sameKey, withHostKeys, type HostKey, type KnownEntry } from './known-hosts.js';
import { fileValue, probeHostKeys, resolveHost, scanVerified, withFirst } from './scan.js';

export interface KeyInfo {
  /** ED25519, ECDSA, RSA. */
  type: string;
  fingerprint: string;
}

/** A change brine made to the project's known_hosts for one host. */
export interface HostKeyRecord {
  /** The project file, as shown (pillar/<env>/known_hosts). */
  file: string;
  /**
   * accepted: first contact, trusted on first use (--accept-new); recorded: verified by your own
   * known_hosts, now the team's too (--accept-new); updated: after the run the host offers other
   * keys (read over the verified connection); not-checked: reading them failed (see note).
   */
  reason: 'accepted' | 'recorded' | 'updated' | 'not-checked';
  added: KeyInfo[];
  removed: KeyInfo[];
  note?: string;
}

export interface TrustOptions {
  /** The project directory. */
  dir: string;
  env: string;
  /** Trust hosts no known_hosts file knows yet, and record them in the project's file. */
  acceptNew: boolean;
  spawn: Spawn;
}

/** Where ssh looks when nobody said otherwise (`GlobalKnownHostsFile`'s default). */
const SYSTEM_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
const GLOBAL_OPTION = /^globalknownhostsfile(?:=|\s+)/i;

/** The user's GlobalKnownHostsFile (their -o, else ssh's default), with `file` first. */
export function withProjectFile(options: string[], file: string): string[] {
  const i = options.findIndex((o) => GLOBAL_OPTION.test(o));
  const theirs = i < 0 ? SYSTEM_KNOWN_HOSTS.map((f) => fileValue(f)) : [options[i].replace(GLOBAL_OPTION, '')];
  const option = `GlobalKnownHostsFile=${[fileValue(file), ...theirs].join(' ')}`;
  return i < 0 ? [...options, option] : options.map((o, j) => (j === i ? option : o));
}

function globalFiles(options: string[]): string[] {
  const given = options.find((o) => GLOBAL_OPTION.test(o));
  if (!given) return SYSTEM_KNOWN_HOSTS;
  return [...given.replace(GLOBAL_OPTION, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** A user's -o StrictHostKeyChecking other than yes: ssh may have connected to anyone. */
const UNCHECKED = /^stricthostkeychecking(?:=|\s+)(?!yes$|true$)/i;

const info = (k: HostKey): KeyInfo => ({ type: keyFamily(k.type), fingerprint: fingerprint(k.blob) });

export class HostTrust {
  /** pillar/<env>/known_hosts: absolute, and as shown. */
  readonly file: string;
  readonly shownFile: string;
  private scratch?: string;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: TrustOptions) {
    this.shownFile = `pillar/${o.env}/known_hosts`;
    this.file = join(resolve(o.dir), this.shownFile);
  }

  /**
   * The host's ssh settings. With host_keys: in env.yaml, the server's keys are read and only
   * those matching a listed fingerprint are trusted (no first use); otherwise ssh checks the
   * project's file beside the user's own known_hosts, strictly.
   */
  async settingsFor(t: Target, base: SshSettings): Promise<SshSettings> {
    if (!t.hostKeys?.length) return { ...base, options: withProjectFile(base.options, this.file) };
    const probe = await probeHostKeys(this.o.spawn, base, t, this.scratchDir());
    if (!probe.keys.length) throw new UnreachableError(t.address, probe.error ?? 'no host key received');
    const pinned = probe.keys.filter((k) => t.hostKeys!.includes(fingerprint(k.blob)));
    if (!pinned.length) throw new HostKeyError(t.address, pinMismatch(this.situation(t, t.address, [], probe.keys), t.hostKeys));
    const file = join(this.scratchDir(), `pinned-${randomBytes(6).toString('hex')}`);
    writeFileSync(file, pinned.map((k) => `${t.address} ${k.type} ${k.blob}\n`).join(''), { mode: 0o600 });
    return withFirst(base, [`UserKnownHostsFile=${fileValue(file, true)}`, 'GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes', `HostKeyAlias=${t.address}`]);
  }

  /**
   * ssh refused the host's key. With --accept-new, a host that no known_hosts file knows at all
   * gets the keys it offers recorded in the project's file (the caller then connects again);
   * anything else — unknown without the flag, changed, a type no longer offered — is a
   * HostKeyError saying which, with the fingerprints, the lines, and what to do.
   */
  async onRefused(t: Target, settings: SshSettings, err: HostKeyError): Promise<HostKeyRecord> {
    if (t.hostKeys?.length) throw new HostKeyError(t.address, `ssh refused the key host_keys: had just verified; ssh said:\n${indent(err.sshSaid)}`, err.sshSaid);
    const [where, probe] = await Promise.all([resolveHost(this.o.spawn, settings, t), probeHostKeys(this.o.spawn, settings, t, this.scratchDir())]);
    const files = [...where.userFiles, ...globalFiles(settings.options)];
    const entries = files.flatMap(readEntries);
    if (!probe.keys.length) {
      throw new HostKeyError(t.address, `ssh refused the host key, and brine could not read the keys the server offers (${probe.error}); ssh said:\n${indent(err.sshSaid)}`, err.sshSaid);
    }
    const d = diagnose(keysFor(entries, where.name), probe.keys);
    if (d.kind === 'unknown' && this.o.acceptNew && !isKnown(entries, where.name)) {
      return { file: this.shownFile, reason: 'accepted', ...(await this.record(where.name, probe.keys)) };
    }
    throw new HostKeyError(t.address, explain(d, this.situation(t, where.name, files, probe.keys), err.sshSaid), err.sshSaid);
  }

  /**
   * After the agent ran: when the run changed something (sshd's keys may be among it), or with
   * --accept-new for a host only your own known_hosts knew, the keys the host offers now — read
   * on the host over the connection already verified — become its lines in the project's file, so that
   * teammates never meet a "changed key" brine itself caused. Never throws.
   */
  async afterRun(t: Target, settings: SshSettings, run: { changed: boolean; test: boolean }): Promise<HostKeyRecord | undefined> {
    if (t.hostKeys?.length) return undefined; // env.yaml's fingerprints are the record
    if (settings.options.some((o) => UNCHECKED.test(o))) return undefined; // a connection ssh did not verify vouches for nothing
    const mayHaveChanged = run.changed && !run.test;
    if (!this.o.acceptNew && (!mayHaveChanged || !existsSync(this.file))) return undefined;
    try {
      const { name } = await resolveHost(this.o.spawn, settings, t);
      const recorded = ownLines(existsSync(this.file) ? readFileSync(this.file, 'utf8') : null, name).length > 0;
      if (recorded ? !mayHaveChanged : !this.o.acceptNew) return undefined;
      const change = await this.record(name, await scanVerified(this.o.spawn, settings, t));
      if (!change.added.length && !change.removed.length) return undefined;
      return { file: this.shownFile, reason: recorded ? 'updated' : 'recorded', ...change };
    } catch (err) {
      const note = `could not read the keys the host offers after the run (${(err as Error).message}); if its sshd keys changed, ${this.shownFile} is out of date`;
      return { file: this.shownFile, reason: 'not-checked', added: [], removed: [], note };
    }
  }

  /** Removes the probes' and pinned keys' scratch files. */
  close(): void {
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }

  /** Replaces the host's own lines in the project's file (atomically; one write at a time). */
  private record(name: string, keys: HostKey[]): Promise<{ added: KeyInfo[]; removed: KeyInfo[] }> {
    const done = this.writes.then(async () => {
      const text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : null;
      const before = ownLines(text, name);
      const added = keys.filter((k) => !before.some((b) => sameKey(b, k)));
      const removed = before.filter((b) => !keys.some((k) => sameKey(b, k)));
      if (added.length || removed.length) {
        mkdirSync(dirname(this.file), { recursive: true });
        await new LocalHost().writeFile(this.file, withHostKeys(text, name, keys), { mode: 0o644 });
      }
      return { added: added.map(info), removed: removed.map(info) };
    });
    this.writes = done.catch(() => undefined);
    return done;
  }

  private situation(t: Target, name: string, files: string[], offered: HostKey[]): Situation {
    const show = (f: string) => {
      const inProject = relative(resolve(this.o.dir), f);
      if (!inProject.startsWith('..')) return inProject;
      return f.startsWith(homedir() + '/') ? `~${f.slice(homedir().length)}` : f;
    };
    return { host: t.address, name, env: this.o.env, looked: [...new Set(files.map(show))], offered, projectFile: this.shownFile, show };
  }

  private scratchDir(): string {
    return (this.scratch ??= mkdtempSync(join(tmpdir(), 'brine-hostkeys-')));
  }
}

/** The lines brine writes for a host: exactly `name TYPE KEY`. */
function ownLines(text: string | null, name: string): KnownEntry[] {
  return text === null ? [] : parseKnownHosts(text, '').filter((e) => !e.marker && e.hosts === name);
}

function readEntries(file: string): KnownEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'), file);
  } catch {
    return []; // missing or unreadable: ssh skips it too
  }
}

