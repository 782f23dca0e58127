// Summary statistics for repeated timings: median and spread, and the ratios we print.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Half the min–max range as a fraction of the median: "± 4 %". */
  spread: number;
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(xs: number[]): Summary {
  const m = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { n: xs.length, median: m, min, max, spread: xs.length && m > 0 ? (max - min) / 2 / m : 0 };
}

/** How many times slower `other` is than `base` (medians). */
export const ratio = (other: number, base: number): number => (base > 0 ? other / base : NaN);

/** Seconds with sensible precision: 0.213 s, 4.61 s, 38.2 s. */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  return s < 1 ? s.toFixed(3) : s < 10 ? s.toFixed(2) : s.toFixed(1);
}

export function times(x: number): string {
  return Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x)}×` : '–';
}

export function percent(f: number): string {
  return `± ${Math.round(f * 100)} %`;
}

export function mib(kib: number | null | undefined): string {
  return kib == null ? '–' : `${Math.round(kib / 1024)} MiB`;
}
