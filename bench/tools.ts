// How each tool is run on a test host for each phase, and how we know a run did what the
// phase means (a "no-op" that changed something, or a converge that failed, is no measurement).
import type { Phase, Tool } from './options.js';

/** Where bench/stage.ts puts everything on the host. */
export const REMOTE = '/opt/bench';
export const ENV = 'staging';
export const ROLES = ['web'];

export interface RunOutput {
  exit: number;
  stdout: string;
}

export interface ToolSpec {
  commands: Record<Phase, string[]>;
  /** Why this run does not count, or undefined when it did what the phase means. */
  problem(phase: Phase, run: RunOutput): string | undefined;
}

const brineApply = [`node`, `${REMOTE}/brine/brine.js`, 'apply', '--env', ENV, '--roles', ROLES.join(','), '--dir', `${REMOTE}/brine/project`];
const playbook = ['ansible-playbook', '-c', 'local', '-i', 'localhost,', `${REMOTE}/ansible/stack.yml`];
const puppetApply = ['puppet', 'apply', '--detailed-exitcodes', '--modulepath', `${REMOTE}/puppet/modules:/usr/share/puppet/modules`, `${REMOTE}/puppet/site.pp`];

const isConverge = (phase: Phase) => phase === 'converge' || phase === 'converge_bare';

/** Salt-style summary: "Succeeded: 12 (changed=3)" or, with --test, "(changed=0, pending=2)". */
function brineCounts(stdout: string): { changed: number; pending: number; failed: number } | undefined {
  const m = /Succeeded: \d+ \(changed=(\d+)(?:, pending=(\d+))?\)\s+Failed: (\d+)/.exec(stdout);
  return m ? { changed: Number(m[1]), pending: Number(m[2] ?? 0), failed: Number(m[3]) } : undefined;
}

/** PLAY RECAP's line for localhost. */
function ansibleCounts(stdout: string): { changed: number; failed: number } | undefined {
  const m = /localhost\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(stdout);
  return m ? { changed: Number(m[1]), failed: Number(m[2]) + Number(m[3]) } : undefined;
}

export const TOOL_SPECS: Record<Tool, ToolSpec> = {
  brine: {
    commands: { converge: brineApply, noop: brineApply, dryrun: [...brineApply, '--test'], converge_bare: brineApply },
    problem(phase, run) {
      const c = brineCounts(run.stdout);
      if (!c) return `no summary line in brine's output (exit ${run.exit})`;
      if (run.exit !== 0 || c.failed) return `exit ${run.exit}, ${c.failed} failed`;
      if (isConverge(phase) && !c.changed) return 'first converge changed nothing';
      if (!isConverge(phase) && (c.changed || c.pending)) return `not idempotent: changed=${c.changed}, pending=${c.pending}`;
      return undefined;
    },
  },
  ansible: {
    commands: { converge: playbook, noop: playbook, dryrun: [...playbook, '--check', '--diff'], converge_bare: playbook },
    problem(phase, run) {
      const c = ansibleCounts(run.stdout);
      if (!c) return `no PLAY RECAP in ansible-playbook's output (exit ${run.exit})`;
      if (run.exit !== 0 || c.failed) return `exit ${run.exit}, ${c.failed} failed or unreachable`;
      if (isConverge(phase) && !c.changed) return 'first converge changed nothing';
      if (!isConverge(phase) && c.changed) return `not idempotent: changed=${c.changed}`;
      return undefined;
    },
  },
  puppet: {
    commands: { converge: puppetApply, noop: puppetApply, dryrun: [...puppetApply, '--noop'], converge_bare: puppetApply },
    // --detailed-exitcodes: 0 nothing to do, 2 changes made, 4 failures, 6 both.
    problem(phase, run) {
      if (isConverge(phase)) return run.exit === 2 ? undefined : `exit ${run.exit} (want 2: changes, no failures)`;
      return run.exit === 0 ? undefined : `exit ${run.exit} (want 0: nothing to change)`;
    },
  },
};
