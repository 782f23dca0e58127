// The compile pipeline: pillar → top → render → parse → validate → order. Pure: reads only
// the project directory, never the host; any problem anywhere fails the whole run up front.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Args } from '../core/args.js';
import { SpecError, type Problem } from '../core/errors.js';
import { buildGraph, type Graph } from './requisites.js';
import type { Registry } from '../resources/resource.js';
import type { Secrets } from '../core/secrets.js';
import { cachedParse } from './template-cache.js';
import type { StateDecl } from '../core/state.js';
import type { Facts } from './facts.js';
import { loadPillar, pillarAt, resolveName, type Pillar } from './pillar.js';
import { render } from './render.js';
import { parseSls } from './sls.js';
import { selectFromTop } from './top.js';
import { listSource, makeSourceLoader } from './source.js';
import { loadRelease } from './release.js';
import { unknownEnvironment } from './environments.js';
import { applyExtends, expandNames } from './expand.js';
import { jinjaProblem } from './jinja.js';
import { didYouMean } from '../core/suggest.js';

export interface CompileInput {
  /** Project directory holding states/ and pillar/. */
  dir: string;
  facts: Facts;
  /** State files to apply alone; otherwise what states/top.yaml selects. */
  only?: string[];
}

export interface Compiled {
  graph: Graph;
  specs: Map<string, unknown>;
  pillar: Pillar;
  pillarFiles: string[];
  secrets: Secrets;
  /** State files used, in load order. */
  sls: string[];
}

export function compile(input: CompileInput, registry: Registry): Compiled {
  const dir = resolve(input.dir);
  const problems: Problem[] = [];
  const rel = (p: string) => relative(dir, p) || p;
  const badEnv = unknownEnvironment(dir, input.facts.env);
  if (badEnv) throw new SpecError([{ message: badEnv }]);
  const { data: pillar, secrets, secretData, files: pillarFiles } = loadPillar(dir, input.facts, problems);
  // `secrets`: what the secrets.yaml files hold, apart from the rest (an app's environment file).
  const release = loadRelease(dir, problems);
  const context = { pillar, secrets: secretData, facts: input.facts, grains: input.facts, env: input.facts.env, release };
  const statesRoot = join(dir, 'states');

  let queue: { name: string; optional?: boolean; from?: { file: string; line: number } }[];
  if (input.only?.length) queue = input.only.map((name) => ({ name }));
  else {
    const top = join(statesRoot, 'top.yaml');
    if (!existsSync(top)) throw new SpecError([{ file: rel(top), message: 'no top file, and no state files named' }]);
    queue = selectFromTop(readFileSync(top, 'utf8'), rel(top), input.facts, problems).map((e) => ({
      name: e.name,
      optional: e.optional,
      from: { file: rel(top), line: e.line },
    }));
  }

  const decls: StateDecl[] = [];
  const extensions: StateDecl[] = [];
  const includesOf = new Map<string, string[]>();
  const loaded: string[] = [];
  const unloaded = new Set<string>();
  const files = new Map<string, string>();
  while (queue.length) {
    const { name, from, optional } = queue.shift()!;
    if (loaded.includes(name)) continue;
    const path = resolveName(statesRoot, name);
    if (!path && optional) continue;
    loaded.push(name);
    if (!path) {
      problems.push({ ...from, message: `state file '${name}' not found (looked for states/${name.replace(/\./g, '/')}.yaml and …/init.yaml)` });
      continue;
    }
    const file = rel(path);
    files.set(name, file);
    let text = readFileSync(path, 'utf8');
    const jinja = jinjaProblem(text);
    if (jinja) {
      problems.push({ file, ...jinja });
      unloaded.add(name);
      continue;
    }
    try {
      text = render(text, file, context, { yamlSafe: true, secrets });
    } catch (err) {
      if (err instanceof SpecError) problems.push(...err.problems);
      else throw err;
      unloaded.add(name);
      continue;
    }
    const before = problems.length;
    const rendered = text;
    const at = decls.length;
    const parsed = cachedParse(
      `sls\0${file}\0${name}\0${at}`,
      rendered,
      () => {
        const value = parseSls(rendered, file, name, at, problems);
        return { value, keep: problems.length === before };
      },
      {
        secrets,
        parse: (t) => {
          const sink: Problem[] = [];
          const value = parseSls(t, file, name, at, sink);
          return sink.length ? undefined : value;
        },
      },
    );
    if (problems.length > before) unloaded.add(name);
    decls.push(...parsed.decls);
    extensions.push(...parsed.extends);
    includesOf.set(name, []);
    for (const inc of parsed.includes) {
      const full = resolveInclude(name, /\/init\.ya?ml$/.test(path), inc.name);
      if (full === undefined) problems.push({ file, line: inc.line, message: `include '${inc.name}' goes above the states/ directory` });
      else {
        queue.push({ name: full, from: { file, line: inc.line } });
        includesOf.get(name)!.push(full);
      }
    }
  }

  definitionOrder(decls, loaded, includesOf);
  const unique = uniqueStates(expandNames(uniqueStates(decls, problems, extensions), registry, problems), problems);

  const specs = new Map<string, unknown>();
  const loadSource = makeSourceLoader(statesRoot, rel, context, secrets);
  for (const decl of unique) {
    const fn = registry[decl.kind]?.[decl.fn];
    if (!fn) {
      const known = registry[decl.kind] ? Object.keys(registry[decl.kind]).map((f) => `${decl.kind}.${f}`) : Object.keys(registry);
      const all = Object.entries(registry).flatMap(([k, fns]) => Object.keys(fns).map((f) => `${k}.${f}`));
      problems.push({
        file: decl.file,
        line: decl.line,
        id: decl.id,
        message: `unknown ${registry[decl.kind] ? 'function' : 'kind'} '${decl.kind}.${decl.fn}'${didYouMean(`${decl.kind}.${decl.fn}`, all)} (known: ${known.join(', ')})`,
      });
      continue;
    }
    const args = new Args(decl, problems);
    const before = problems.length;
    try {
      const spec = fn.parse(args, { decl, loadSource: (src, opts) => loadSource(src, opts, args), listSource: (src) => listSource(statesRoot, src, args), pillar: (path) => pillarAt(pillar, secretData, secrets, path) });
      args.done();
      if (problems.length === before) specs.set(decl.key, spec);
    } catch (err) {
      if (err instanceof SpecError) problems.push(...err.problems);
      else throw err;
    }
  }

  const graph = buildGraph(unique, problems, unloaded);
  // Masked here, at the source: a problem may quote a rendered line holding a secret.
  if (problems.length) throw new SpecError(problems.map((p) => ({ ...p, message: secrets.mask(p.message) })));
  return { graph, specs, pillar, pillarFiles, secrets, sls: loaded };
}

/**
 * Salt's relative include: `.c` in `a.b` (a/b.yaml) is `a.c`, in `a.b` read from a/b/init.yaml
 * it is `a.b.c`; each further leading dot goes one package up (`..c`). Undefined above the root.
 */
export function resolveInclude(from: string, isInit: boolean, include: string): string | undefined {
  const dots = /^\.*/.exec(include)![0].length;
  if (dots === 0) return include;
  const pkg = from.split('.');
  if (!isInit) pkg.pop();
  const up = dots - 1;
  if (up > pkg.length) return undefined;
  return [...pkg.slice(0, pkg.length - up), include.slice(dots)].filter(Boolean).join('.');
}

/** The states with their first declaration per key; a second one is a problem. */
function uniqueStates(decls: StateDecl[], problems: Problem[], extensions?: StateDecl[]): StateDecl[] {
  const byKey = new Map<string, StateDecl>();
  for (const d of decls) {
    const prior = byKey.get(d.key);
    if (!prior) byKey.set(d.key, d);
    else {
      const what = d.key.split('|').length > 2 ? `duplicate name '${d.name}' for ${d.kind}` : `duplicate state ID for ${d.kind}`;
      problems.push({ file: d.file, line: d.line, id: d.id, message: `${what} (first declared at ${prior.file}:${prior.line})` });
    }
  }
  const unique = [...byKey.values()];
  if (extensions) applyExtends(unique, extensions, problems);
  return unique;
}

/**
 * Salt's definition order: a file's includes run before its own states, depth first, in the
 * order they are listed (foo including bar and baz: bar's includes, bar, baz's, baz, foo).
 */
function definitionOrder(decls: StateDecl[], roots: string[], includesOf: Map<string, string[]>): void {
  const rank = new Map<string, number>();
  let next = 0;
  const visit = (sls: string) => {
    if (rank.has(sls) || !includesOf.has(sls)) return;
    rank.set(sls, -1);
    includesOf.get(sls)!.forEach(visit);
    rank.set(sls, next++);
  };
  roots.forEach(visit);
  for (const d of decls) d.index += (rank.get(d.sls) ?? 0) * 1_000_000;
}
