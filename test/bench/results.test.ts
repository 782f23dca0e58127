import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeResults } from '../../bench/output.js';
import { aims, toJson, toMarkdown } from '../../bench/results.js';
import { median, summarize } from '../../bench/stats.js';
import { fakeResults } from './fixtures.js';
import { tempDir } from '../support/temp.js';

describe('bench statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('gives the spread as half the range over the median', () => {
    expect(summarize([0.9, 1, 1.1])).toEqual({ n: 3, median: 1, min: 0.9, max: 1.1, spread: expect.closeTo(0.1, 9) });
  });
});

describe('bench results', () => {
  it('writes results.json as medians in seconds, in the documented shape', () => {
    expect(toJson(fakeResults())).toEqual({
      converge: { brine: 2.1, ansible: 14, puppet: 8 },
      noop: { brine: 0.25, ansible: 12, puppet: 3.6 },
      dryrun: { brine: 0.27, ansible: 10, puppet: 4 },
      provision_parallel: { '1': 1, '5': 1.3, '20': 1.5 },
    });
  });

  it('checks the aims against the medians', () => {
    expect(aims(fakeResults())).toEqual([
      { what: 'brine no-op apply of the stack under 0.3 s', met: true, measured: '0.250 s' },
      { what: 'no-op at least 20× faster than ansible-playbook', met: true, measured: '48×' },
      { what: 'no-op at least 5× faster than puppet apply', met: true, measured: '14×' },
      { what: "provision of 20 hosts within 1.5× one host's wall time", met: true, measured: "1.5× (this machine's CPU floor alone: 1.4×)" },
    ]);
  });

  it('renders date, machine, versions, every run, ratios, differences and the rerun command', () => {
    const md = toMarkdown(fakeResults());
    expect(md).toContain('Measured 2026-01-02T03:04:05Z on 2 cores (Test CPU), 23.5 GiB memory, kernel 6.1.0-test');
    expect(md).toContain('Versions: brine 0.1.0 (abc1234), ansible 7.7.0, puppet 7.23.0.');
    expect(md).toContain('| noop | 0.250 s | 12.0 s | 3.60 s | 48× | 14× |');
    expect(md).toContain('- brine: 0.250, 0.240, 0.260, 0.300, 0.220 s');
    // machine CPU 2.8 s over 2 cores: a 1.4 s floor, which the 1.5 s run came within 1.1× of.
    expect(md).toContain('| 20 | 1.50 s | ± 7 % | 1.5× | 2.80 s | 0.140 s | 1.40 s | 1.1× | 30.0 s |');
    expect(md).toContain('- ansible: same as brine\'s host.');
    expect(md).toContain('~ /home/alice/.ssh/authorized_keys');
    expect(md).toContain('| ansible | 1597 |');
    expect(md).toContain('ansible dryrun    ansible-playbook x --check --diff');
    expect(md).toContain('npm ci\nnpm run bench\n');
    expect(md).not.toMatch(/NaN|undefined/);
  });

  it('leaves out what a partial run did not measure', () => {
    const r = fakeResults();
    r.wall = { converge: { puppet: [8] }, noop: { puppet: [3] }, dryrun: { puppet: [4] } };
    delete r.provision;
    delete r.profile;
    const md = toMarkdown(r);
    expect(toJson(r)).toEqual({ converge: { puppet: 8 }, noop: { puppet: 3 }, dryrun: { puppet: 4 }, provision_parallel: {} });
    expect(aims(r)).toEqual([]);
    expect(md).not.toContain('brine provision');
    expect(md).not.toMatch(/NaN|undefined/);
  });

  it('writes RESULTS.md and results.json into the output directory', () => {
    const dir = tempDir('bench-results-');
    const out = writeResults(fakeResults(), dir);
    expect(JSON.parse(readFileSync(out.json, 'utf8'))).toEqual(toJson(fakeResults()));
    expect(readFileSync(out.markdown, 'utf8')).toBe(toMarkdown(fakeResults()));
  });
});

describe('machine CPU', () => {
  it('sums user, nice, system, irq and softirq of /proc/stat (USER_HZ), leaving idle and iowait out', async () => {
    const { machineCpuSeconds } = await import('../../bench/provision.js');
    expect(machineCpuSeconds('cpu  100 5 50 9999 77 3 2 1 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n')).toBeCloseTo(1.6, 9);
  });
});
