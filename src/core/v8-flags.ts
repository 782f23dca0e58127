// brine runs for a fraction of a second: V8 would spend it compiling "hot" functions with its
// optimizing compiler (TurboFan) that the run ends before using. A higher tier-up budget (about
// 8× Node 18's default) keeps that for code that stays hot, as in long diffs. On the shipped
// stack's no-op apply (bench/): CPU 0.38 → 0.28 s, wall 0.41 → 0.31 s, peak RSS 79 → 70 MiB.
// dist/brine.js sets them first thing (src/boot/boot.ts), before the program is compiled.
export const V8_FLAGS = '--interrupt-budget=1081344';
