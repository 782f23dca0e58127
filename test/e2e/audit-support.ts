// The auditors the hardening test runs against a provisioned host: ssh-audit and testssl.sh
// from this machine (Debian's packages, installed by the harness), lynis on the host itself
// (installed there from the bare flavour's apt cache for the test only; the states never do).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { StackProject } from './stack-support.js';

export interface SshAudit {
  fails: string[];
  warns: number;
  output: string;
}

export async function sshAudit(address: string): Promise<SshAudit> {
  const r = await execa('ssh-audit', ['-n', '-p', '22', address], { reject: false, timeout: 60_000 });
  const lines = r.stdout.split('\n');
  return { fails: lines.filter((l) => l.includes('[fail]')), warns: lines.filter((l) => l.includes('[warn]')).length, output: r.stdout };
}

export interface Lynis {
  index: number;
  tests: number;
  /** Test id → hardening points it did not get (from lynis.log). */
  lost: Record<string, number>;
  suggestions: string[];
}

/** Installs lynis offline, runs `lynis audit system --quick`, removes it again. */
export async function lynis(p: StackProject): Promise<Lynis> {
  const apt = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-y', '--no-install-recommends'];
  const install = await p.root([...apt, 'install', 'lynis']);
  if (install.exitCode !== 0) throw new Error(`apt-get install lynis failed:\n${install.stderr}${install.stdout}`);
  try {
    const run = await p.root(['lynis', 'audit', 'system', '--quick', '--no-colors'], { timeout: 600_000 });
    const index = /Hardening index : (\d+)/.exec(run.stdout);
    if (!index) throw new Error(`lynis printed no hardening index (exit ${run.exitCode}):\n${run.stderr}${run.stdout.slice(-2000)}`);
    const log = (await p.root(['cat', '/var/log/lynis.log'])).stdout;
    return {
      index: Number(index[1]),
      tests: Number(/Tests performed : (\d+)/.exec(run.stdout)?.[1] ?? 0),
      lost: lostPoints(log),
      suggestions: run.stdout.split('\n').filter((l) => /^\s+\* .*\[[A-Z]+-\d+\]/.test(l)).map((l) => l.trim()),
    };
  } finally {
    await p.root([...apt, 'purge', 'lynis']);
    await p.root(['rm', '-rf', '/var/log/lynis.log', '/var/log/lynis-report.dat']);
  }
}

/** Points each lynis test withheld: "Performing test ID X" then "assigned partial … (a of b)". */
export function lostPoints(log: string): Record<string, number> {
  const lost: Record<string, number> = {};
  let test = '';
  for (const line of log.split('\n')) {
    const t = /Performing test ID ([A-Z]+-\d+)/.exec(line);
    if (t) test = t[1];
    const hp = /assigned partial number of hardening points \((\d+) of (\d+)\)/.exec(line);
    if (hp && Number(hp[2]) > Number(hp[1])) lost[test] = (lost[test] ?? 0) + Number(hp[2]) - Number(hp[1]);
  }
  return lost;
}

export interface TestSsl {
  /** Findings of the protocol and vulnerability checks with a severity above INFO/OK. */
  findings: { id: string; severity: string; finding: string }[];
  /** Protocol id → finding ("offered", "not offered"…). */
  protocols: Record<string, string>;
}

const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3'];

/** testssl.sh's protocol (-p) and vulnerability (-U) checks against https://ADDRESS/. */
export async function testssl(address: string): Promise<TestSsl> {
  const dir = mkdtempSync(join(tmpdir(), 'brine-testssl-'));
  try {
    const json = join(dir, 'out.json');
    const r = await execa('testssl', ['--quiet', '--color', '0', '--warnings', 'off', '--ip', 'one', '-p', '-U', '--jsonfile', json, `https://${address}/`], {
      reject: false,
      timeout: 600_000,
    });
    let items: { id: string; severity: string; finding: string }[];
    try {
      items = JSON.parse(readFileSync(json, 'utf8'));
    } catch {
      throw new Error(`testssl wrote no JSON (exit ${r.exitCode}):\n${r.stderr}${r.stdout.slice(-2000)}`);
    }
    // The machine's own openssl lacking GOST engines is about the scanner, not the site.
    const findings = items.filter((f) => !['OK', 'INFO'].includes(f.severity) && f.id !== 'engine_problem');
    const protocols = Object.fromEntries(items.filter((f) => PROTOCOLS.includes(f.id)).map((f) => [f.id, f.finding]));
    return { findings, protocols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
