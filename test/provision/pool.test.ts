// The scheduler: at most N at once, results in input order, one failure stops nothing.
import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/provision/pool.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runPool', () => {
  it('never runs more than the limit at once, and runs everything', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    const r = await runPool([...Array(10).keys()], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(5 + (n % 3) * 5);
      inFlight--;
      done.push(n);
      return n * 2;
    });
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(r.map((x) => (x.ok ? x.value : null))).toEqual([...Array(10).keys()].map((n) => n * 2));
  });

  it('turns a failure into that item’s result and goes on with the rest', async () => {
    const r = await runPool(['a', 'boom', 'c'], 1, async (s) => {
      if (s === 'boom') throw new Error('unreachable');
      return s.toUpperCase();
    });
    expect(r[0]).toEqual({ ok: true, value: 'A' });
    expect(r[1].ok).toBe(false);
    expect(r[2]).toEqual({ ok: true, value: 'C' });
  });

  it('refuses a limit below one', async () => {
    await expect(runPool([1], 0, async (n) => n)).rejects.toThrow(/positive integer/);
  });
});
