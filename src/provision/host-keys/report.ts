// What brine wrote to pillar/<env>/known_hosts during a run, per host: shown after the run so
// that the fingerprints can be checked and the file committed for the team.
import type { HostKeyRecord, KeyInfo } from './trust.js';

const HEAD: Record<HostKeyRecord['reason'], string> = {
  accepted: 'new host, trusted on first use (--accept-new); its keys are now recorded in',
  recorded: 'host keys (verified by your own known_hosts) now recorded for the team in',
  updated: 'the host offers other SSH host keys after the run; updated',
  'not-checked': 'warning:',
};

const key = (sign: string, k: KeyInfo) => `    ${sign} ${k.type.padEnd(7)} ${k.fingerprint}\n`;

export function formatHostKeyRecords(hosts: { address: string; hostKeys: HostKeyRecord[] }[]): string {
  let out = '';
  for (const h of hosts) {
    for (const r of h.hostKeys) {
      if (r.reason === 'not-checked') {
        out += `${h.address}: ${HEAD[r.reason]} ${r.note}\n`;
        continue;
      }
      out += `${h.address}: ${HEAD[r.reason]} ${r.file}:\n`;
      out += r.added.map((k) => key('+', k)).join('') + r.removed.map((k) => key('-', k)).join('');
    }
  }
  const files = [...new Set(hosts.flatMap((h) => h.hostKeys.filter((r) => r.reason !== 'not-checked').map((r) => r.file)))];
  if (files.length) out += `Check these fingerprints against the servers' own, then commit ${files.join(', ')}.\n`;
  return out ? `\n${out}` : '';
}
