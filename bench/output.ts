// Writes a run's results: RESULTS.md for people, results.json (medians) for machines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson, toMarkdown, type BenchResults } from './results.js';

export function writeResults(r: BenchResults, outDir: string): { markdown: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const markdown = join(outDir, 'RESULTS.md');
  const json = join(outDir, 'results.json');
  writeFileSync(markdown, toMarkdown(r));
  writeFileSync(json, JSON.stringify(toJson(r), null, 2) + '\n');
  return { markdown, json };
}
