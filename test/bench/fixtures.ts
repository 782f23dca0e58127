// Fake benchmark results: what a run would collect, with made-up numbers.
import type { BenchResults } from '../../bench/results.js';

export function fakeResults(): BenchResults {
  return {
    date: '2026-01-02T03:04:05Z',
    machine: { nproc: 2, memory_gib: 23.5, kernel: '6.1.0-test', os: 'Debian GNU/Linux 12 (bookworm)', cpu: 'Test CPU' },
    versions: { brine: '0.1.0 (abc1234)', ansible: '7.7.0', puppet: '7.23.0' },
    options: { runs: 5, warmup: 1, provisionRuns: 5 },
    commands: {
      brine: { converge: 'node brine.js apply', noop: 'node brine.js apply', dryrun: 'node brine.js apply --test', converge_bare: 'node brine.js apply' },
      ansible: { converge: 'ansible-playbook x', noop: 'ansible-playbook x', dryrun: 'ansible-playbook x --check --diff', converge_bare: 'ansible-playbook x' },
      puppet: { converge: 'puppet apply x', noop: 'puppet apply x', dryrun: 'puppet apply x --noop', converge_bare: 'puppet apply x' },
    },
    wall: {
      converge: { brine: [2.1, 2.0, 2.3, 1.9, 2.2], ansible: [14, 13, 15, 14.5, 13.5], puppet: [8, 7.5, 8.5, 7, 9] },
      noop: { brine: [0.25, 0.24, 0.26, 0.3, 0.22], ansible: [12, 11, 13, 12.5, 11.5], puppet: [3.6, 3.5, 3.7, 3.4, 3.8] },
      dryrun: { brine: [0.27, 0.25, 0.26, 0.28, 0.3], ansible: [10, 9, 11, 10.5, 9.5], puppet: [4, 3.9, 4.1, 4.2, 3.8] },
      converge_bare: { brine: [7, 6.5, 7.5], ansible: [30, 31, 29], puppet: [20, 19, 21] },
    },
    cpu: {
      converge: { brine: [1, 1, 1, 1, 1], ansible: [10, 10, 10, 10, 10], puppet: [4, 4, 4, 4, 4] },
      noop: { brine: [0.2, 0.2, 0.2, 0.2, 0.2], ansible: [9, 9, 9, 9, 9], puppet: [3, 3, 3, 3, 3] },
      dryrun: { brine: [0.2, 0.2, 0.2, 0.2, 0.2], ansible: [7, 7, 7, 7, 7], puppet: [3, 3, 3, 3, 3] },
      converge_bare: { brine: [5, 5, 5], ansible: [20, 20, 20], puppet: [15, 15, 15] },
    },
    memory: {
      converge: { brine: { maxrss_kib: 61440, tree_pss_peak_kib: 70000 }, ansible: { maxrss_kib: 83000, tree_pss_peak_kib: 190000 }, puppet: { maxrss_kib: 105000, tree_pss_peak_kib: 150000 } },
      noop: { brine: { maxrss_kib: 60000, tree_pss_peak_kib: null }, ansible: { maxrss_kib: 83000, tree_pss_peak_kib: 150000 }, puppet: { maxrss_kib: 110000, tree_pss_peak_kib: 150000 } },
      dryrun: {},
      converge_bare: {},
    },
    processes: { brine: 3, ansible: 1597, puppet: 62 },
    profile: { total_ms: 180, top: [{ name: 'parse node_modules/yaml/dist/parse.js', self_ms: 20 }], byPackage: [{ name: 'yaml', self_ms: 40 }] },
    provision: { command: 'node dist/brine.js provision staging …', first: { '1': 6, '5': 9, '20': 30 }, again: { '1': [1, 1.1, 0.9], '5': [1.3, 1.2, 1.4], '20': [1.4, 1.6, 1.5] }, cpu: { '1': [0.7, 0.6, 0.8], '5': [1.6, 1.5, 1.7], '20': [2.8, 2.6, 3.0] } },
    equivalence: { ansible: [], puppet: ['~ /home/alice/.ssh/authorized_keys  file 0600 alice:alice sha256:1 => file 0600 alice:alice sha256:2'] },
    rerun: 'npm run bench',
  };
}
