// Option parsers the commands share: one way to read a list, a repeated option, a number.
import { InvalidArgumentError } from 'commander';

/** `a,b` → [a, b]; repeating the option adds to the list. */
export const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export const repeat = (v: string, prev: string[] = []) => [...prev, v];

/** A whole number ≥ min (seconds, counts), or a clear error naming what was given. */
export const whole = (min: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
};
