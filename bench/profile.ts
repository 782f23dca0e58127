// What brine's no-op run spends its time on: a V8 CPU profile (node --cpu-prof) attributed to
// the bundle's modules, and how many processes each tool starts (strace -f, execve calls).

/** The parts of a .cpuprofile we read. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The program inside dist/brine.js (scripts/embed.mjs: a string constant on line 2, compiled
 * under the file's own name, so profile line numbers are its lines); other text as it is.
 */
export function programSource(bundle: string): string {
  const line = bundle.split('\n', 2)[1] ?? '';
  const m = /^const BRINE_MAIN = (".*");$/.exec(line);
  return m ? (JSON.parse(m[1]) as string) : bundle;
}

/**
 * esbuild starts each bundled module with a `// path` comment line: bundle line → module.
 * Returns a lookup from a 0-based line number to the module's path.
 */
export function moduleIndex(bundle: string): (line: number) => string {
  const starts: { line: number; path: string }[] = [];
  bundle.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(text);
    if (m) starts.push({ line: i, path: m[1] });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= line) {
        found = starts[mid].path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** `node_modules/yaml/dist/x.js` → `yaml`; `src/compile/load.ts` → `src/compile`. */
export function packageOf(path: string): string {
  const nm = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1];
  const src = /^(src\/[^/]+)\//.exec(path);
  return src ? src[1] : path;
}

export interface ProfileSummary {
  total_ms: number;
  /** Heaviest functions by self time. */
  top: { name: string; self_ms: number }[];
  /** Self time per package or src/ directory, node internals and V8's own buckets. */
  byPackage: { name: string; self_ms: number }[];
}

export function summarizeProfile(p: CpuProfile, bundle: string, bundleName = 'brine.js', topN = 12): ProfileSummary {
  const moduleAt = moduleIndex(programSource(bundle));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  for (const node of p.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    let where: string;
    let pkg: string;
    if (url.endsWith(bundleName)) {
      where = moduleAt(lineNumber);
      pkg = packageOf(where);
    } else if (url) {
      where = url.replace(/^file:\/\//, '');
      pkg = url.startsWith('node:') ? 'node internals' : where;
    } else {
      // V8's own buckets: (program), (garbage collector), (idle), (root)
      where = '';
      pkg = functionName || '(anonymous)';
    }
    const name = where ? `${functionName || '(anonymous)'} ${where}` : pkg;
    byFn.set(name, (byFn.get(name) ?? 0) + us);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, self_ms: us / 1000 }));
  return { total_ms: total / 1000, top: sorted(byFn, topN), byPackage: sorted(byPkg, topN) };
}

/** Successful execve calls in `strace -f -e trace=execve` output: processes started. */
export function countExecs(straceOutput: string): number {
  return straceOutput.split('\n').filter((l) => /execve\(/.test(l) && /\)\s*=\s*0\s*$/.test(l)).length;
}
