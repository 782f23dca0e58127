import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs, rerunCommand } from '../../bench/options.js';
import { rotation } from '../../bench/rounds.js';

const quiet = () => {};

describe('bench arguments', () => {
  it('defaults to 5 timed rounds of all three tools and provision of 1, 5 and 20 hosts', () => {
    const o = parseBenchArgs([], quiet);
    expect(o).toEqual({ runs: 5, warmup: 1, tools: ['brine', 'ansible', 'puppet'], provision: [1, 5, 20], provisionRuns: 5, bareRuns: 3, bundle: undefined, out: 'bench', verbose: false });
    expect(rerunCommand(o)).toBe('npm run bench');
  });

  it('parses lists, keeps the tools in their canonical order and sorts fleet sizes', () => {
    const o = parseBenchArgs(['--runs', '3', '--tools', 'puppet,brine', '--provision', '20,1', '--out', '/tmp/x', '-v'], quiet);
    expect(o).toMatchObject({ runs: 3, tools: ['brine', 'puppet'], provision: [1, 20], out: '/tmp/x', verbose: true });
    expect(rerunCommand(o)).toBe('npm run bench -- --runs 3 --tools brine,puppet --provision 1,20');
    expect(parseBenchArgs(['--provision', 'none'], quiet).provision).toEqual([]);
  });

  it('measures bare-host converges alone, of another bundle', () => {
    const o = parseBenchArgs(['--runs', '0', '--bare-runs', '2', '--provision', 'none', '--bundle', '/tmp/old/brine.js'], quiet);
    expect(o).toMatchObject({ runs: 0, bareRuns: 2, provision: [], bundle: '/tmp/old/brine.js' });
    expect(rerunCommand(o)).toBe('npm run bench -- --runs 0 --provision none --bare-runs 2 --bundle /tmp/old/brine.js');
  });

  it.each([
    [['--runs', '0', '--bare-runs', '0', '--provision', 'none']],
    [['--runs', 'x']],
    [['--tools', 'chef']],
    [['--provision', '0']],
    [['--bogus']],
  ])('refuses %j with exit code 1', (argv) => {
    let err: unknown;
    try {
      parseBenchArgs(argv, quiet);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).exitCode).toBe(1);
  });

  it('rotates the order of the tools every round', () => {
    const tools = ['brine', 'ansible', 'puppet'];
    expect([0, 1, 2, 3].map((r) => rotation(tools, r).join(','))).toEqual(['brine,ansible,puppet', 'ansible,puppet,brine', 'puppet,brine,ansible', 'brine,ansible,puppet']);
  });
});
