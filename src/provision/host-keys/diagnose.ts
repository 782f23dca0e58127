// Why ssh refused a host's key, from what the known_hosts files say about the host and what the
// server offers — and what to do next, in words: never a bare "Host key verification failed".
import { describeKey, fingerprint, keyFamily, sameKey, type HostKey, type KnownEntry } from './known-hosts.js';

export type Diagnosis =
  | { kind: 'unknown' }
  /** A recorded key of a family the server still offers differs from the one it offers now. */
  | { kind: 'changed'; changed: { known: KnownEntry; now: HostKey }[]; gone: KnownEntry[] }
  /** Every recorded key is of a family the server no longer offers. */
  | { kind: 'gone'; gone: KnownEntry[] }
  /** A recorded key matches, yet ssh refused (revoked, a CA line, its own rules): ssh's words. */
  | { kind: 'other' };

export function diagnose(known: KnownEntry[], offered: HostKey[]): Diagnosis {
  if (!known.length) return { kind: 'unknown' };
  const changed: { known: KnownEntry; now: HostKey }[] = [];
  const gone: KnownEntry[] = [];
  for (const e of known) {
    if (offered.some((k) => sameKey(k, e))) continue;
    const now = offered.find((k) => keyFamily(k.type) === keyFamily(e.type));
    if (now) changed.push({ known: e, now });
    else gone.push(e);
  }
  if (changed.length) return { kind: 'changed', changed, gone };
  if (gone.length === known.length) return { kind: 'gone', gone };
  return { kind: 'other' };
}

export interface Situation {
  /** The host as the user named it (its address in env.yaml). */
  host: string;
  /** The name ssh looks it up by (`[h]:2222` off port 22). */
  name: string;
  env: string;
  /** Files looked in, as shown to the user. */
  looked: string[];
  offered: HostKey[];
  /** The project's file, as shown (pillar/<env>/known_hosts). */
  projectFile: string;
  /** A file path as shown to the user (relative to the project, ~ for home). */
  show: (file: string) => string;
}

const list = (keys: HostKey[]) => keys.map((k) => `    ${describeKey(k)}\n`).join('');
const at = (s: Situation, e: KnownEntry) => `${s.show(e.file)}:${e.line}`;

/** The lines to remove, one `ssh-keygen -R` per file. */
function removal(s: Situation, entries: KnownEntry[]): string {
  const files = [...new Set(entries.map((e) => e.file))];
  const lines = (f: string) => entries.filter((e) => e.file === f).map((e) => e.line).join(', ');
  return files.map((f) => `    ${s.show(f)}: line ${lines(f)} (ssh-keygen -R '${s.name}' -f '${f}')\n`).join('');
}

const accept = (s: Situation) => `\`brine provision ${s.env} --accept-new\``;
const pin = (s: Situation) => `host_keys: [${s.offered[0] ? fingerprint(s.offered[0].blob) : 'SHA256:…'}] for this host in pillar/${s.env}/env.yaml`;
const HOW_TO_TRUST = (s: Situation) =>
  `  ${accept(s)} records them in ${s.projectFile} for the whole team (commit it); ${pin(s)} pins them with no trust on first use.`;

/** First line: what is wrong and the next step (the summary shows only it); then the detail. */
export function explain(d: Diagnosis, s: Situation, sshSaid: string): string {
  switch (d.kind) {
    case 'unknown':
      return (
        `host key unknown (first contact?): verify the fingerprints below, then run ${accept(s)} or add them as host_keys: in pillar/${s.env}/env.yaml\n` +
        `  No known_hosts entry for ${s.name} in ${s.looked.join(', ')}. The server offers:\n${list(s.offered)}` +
        `  Compare them with the server's own (its console, or \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on it).\n` +
        HOW_TO_TRUST(s)
      );
    case 'changed':
      return (
        `host key CHANGED (${d.changed.map((c) => `${keyFamily(c.known.type)} ${fingerprint(c.known.blob)} is now ${fingerprint(c.now.blob)}`).join('; ')}): nothing was done; see below before trusting it\n` +
        d.changed.map((c) => `    ${keyFamily(c.known.type).padEnd(7)} ${fingerprint(c.known.blob)} (${at(s, c.known)}), now ${fingerprint(c.now.blob)}\n`).join('') +
        `  Either the server was rebuilt or its keys regenerated, or someone is intercepting the connection: brine did nothing on the host and changed no file.\n` +
        `  If the change is expected, verify the new fingerprints (the server's console), remove the old lines:\n${removal(s, [...d.changed.map((c) => c.known), ...d.gone])}` +
        `  then run ${accept(s)} again.\n` +
        HOW_TO_TRUST(s)
      );
    case 'gone':
      return (
        `the server no longer offers the host key type${d.gone.length > 1 ? 's' : ''} recorded for it (${d.gone.map((e) => `${keyFamily(e.type)} in ${at(s, e)}`).join(', ')}): nothing was done; see below\n` +
        d.gone.map((e) => `    ${keyFamily(e.type).padEnd(7)} ${fingerprint(e.blob)} (${at(s, e)})\n`).join('') +
        `  It offers:\n${list(s.offered)}` +
        `  An sshd change does this (hardening that drops a key type) — and so would someone intercepting the connection: brine did nothing on the host and changed no file.\n` +
        `  If the change is expected, verify the offered fingerprints (the server's console), remove the old lines:\n${removal(s, d.gone)}` +
        `  then run ${accept(s)} again.\n` +
        HOW_TO_TRUST(s)
      );
    default:
      return `ssh refused the host key of ${s.name}, though a known_hosts entry matches what the server offers (looked in ${s.looked.join(', ')}); ssh said:\n${indent(sshSaid)}`;
  }
}

/** host_keys: in env.yaml lists fingerprints; none matches what the server offers. */
export function pinMismatch(s: Situation, pinned: string[]): string {
  return (
    `host key does not match host_keys: in pillar/${s.env}/env.yaml (${pinned.join(', ')}): nothing was done\n` +
    `  The server offers:\n${list(s.offered)}` +
    `  If the server was rebuilt, check its new fingerprints (its console) and update host_keys:; otherwise someone may be intercepting the connection.`
  );
}

export const indent = (t: string) => t.trim().split('\n').map((l) => `    ${l}`).join('\n');
