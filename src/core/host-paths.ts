// Where brine keeps its own files on a host it runs on as root, named once: the agent's
// defaults, provision's upload and agent argv, and — as arguments — bootstrap.sh, launch.sh
// and collect.sh.
export const HOST_PATHS = {
  /** brine's own root-only directory: the apply lock, backups, bootstrap's marker. */
  varDir: '/var/lib/brine',
  /** Uploads, one directory per run (agent, states, the host's pillar). */
  runs: '/var/lib/brine/run',
  /** Per run: the launcher's job, pid, exit status, log, events and JSON report. */
  reports: '/var/lib/brine/reports',
  /** The last agent a run started: an upload of the same bundle links it instead of sending it. */
  agent: '/var/lib/brine/agent',
  logDir: '/var/log/brine',
  /** One JSON line per apply, read back by `brine history`. */
  runLog: '/var/log/brine/runs.jsonl',
} as const;
