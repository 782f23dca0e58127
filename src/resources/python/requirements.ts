// Requirement specifiers as brine takes them (a name, extras, versions, markers, `name @ url`),
// and requirements files fed to pip on stdin: so options and relative paths, which would mean
// something else there, are refused rather than passed on.

const SPECIFIER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(\[[\w\s,.-]*\])?\s*([<>=!~@;].*)?$/;

/** Why `spec` is not a requirement specifier brine passes to pip, or undefined when it is. */
export function badSpecifier(spec: string): string | undefined {
  if (spec.startsWith('-')) return `${JSON.stringify(spec)} is a pip option, not a package: use the state's arguments (no_index, find_links, index_url, upgrade)`;
  if (!SPECIFIER.test(spec.trim())) return `${JSON.stringify(spec)} is not a requirement specifier (name, name==1.2, name[extra]>=1, name @ https://…)`;
  return undefined;
}

/** PEP 503: the name pip compares (Django, django and DJANGO are one package; _ . - alike). */
export const normalizeName = (spec: string) => (/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec.trim())?.[0] ?? spec).toLowerCase().replace(/[-_.]+/g, '-');

/** The specifier lines of a requirements file; problems for lines brine will not pass on. */
export function requirementLines(text: string): { lines: string[]; problems: string[] } {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const bad = line.startsWith('-')
      ? `options are not supported in a requirements file brine reads (${line.split(/\s/)[0]}): give find_links, index_url or no_index on the state`
      : badSpecifier(line);
    if (bad) problems.push(`line ${i + 1}: ${bad}`);
    else lines.push(line);
  }
  return { lines, problems };
}
