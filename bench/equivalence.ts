// Are the three stacks the same? Compare each tool's converged host with brine's, leaving out
// what differs between any two hosts anyway (identity) and each tool's private files.
import { diffFingerprints, formatDiff, type Fingerprint } from '../test/harness/index.js';

/** Keys that say nothing about the stack. */
export const NOT_THE_STACK: RegExp[] = [
  // per-host identity the harness writes
  /^\/etc\/(hostname|hosts|machine-id)$/,
  /^\/etc\/systemd\/network\//,
  // root's home: the harness's key, Ansible's ~/.ansible, Puppet's ~/.puppetlabs and caches
  /^\/root(\/|$)/,
  // brine's own var dir (lock, backups of replaced files)
  /^\/(var\/lib|var\/log)\/brine(\/|$)/,
  // shadow-utils' and libuser's backups of the account files: which tool wrote last
  /^\/etc\/(passwd|group|shadow|gshadow|subuid|subgid)-$/,
  // Puppet's own state
  /^\/etc\/puppet(\/|$)/,
  // brine's record of a host's releases (for brine releases and rollback): the twins keep none
  /^\/srv\/[^/]+\/deploys\.jsonl$/,
  /^\/srv\/[^/]+\/releases\/[^/]+\/\.brine-release\.json$/,
];

/**
 * Files whose content each host makes afresh: type, mode and owner only. The self-signed key and
 * certificate; a virtualenv's mark of completion (brine writes when); the bytecode of the pip
 * and setuptools a new virtualenv gets, which records its sources' time of installation.
 */
export const RANDOM_CONTENT: RegExp[] = [
  /^\/etc\/nginx\/tls\/[^/]+\.(crt|key)$/,
  /^\/srv\/[^/]+\/venvs\/[^/]+\/\.brine-complete$/,
  /^\/srv\/[^/]+\/venvs\/[^/]+\/lib\/.*\.pyc$/,
];

/** Differences that are each tool's own way of writing the same thing. */
export const EXPLAINED: { tool: string; key: RegExp; why: string }[] = [
  { tool: 'puppet', key: /\/\.ssh\/authorized_keys$/, why: "Puppet's ssh_authorized_key adds its own '# HEADER' comment lines" },
];

export function stackOnly(fp: Fingerprint): Fingerprint {
  return Object.fromEntries(
    Object.entries(fp)
      .filter(([k]) => !NOT_THE_STACK.some((re) => re.test(k)))
      .map(([k, v]) => [k, RANDOM_CONTENT.some((re) => re.test(k)) ? v.replace(/ sha256:\w+$/, '') : v]),
  );
}

/** One line per difference, `~ key  brine's => the other's`, explained where we know why; empty when the same. */
export function compareWithBrine(brine: Fingerprint, other: Fingerprint, tool = ''): string[] {
  const text = formatDiff(diffFingerprints(stackOnly(brine), stackOnly(other)));
  return (text ? text.split('\n') : []).map((line) => {
    const known = EXPLAINED.find((e) => e.tool === tool && e.key.test(line.slice(2).split(/\s/)[0]));
    return known ? `${line}  (${known.why})` : line;
  });
}
