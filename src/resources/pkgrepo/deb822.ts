// Salt's one-line repository (`deb [arch=amd64 signed-by=/k.asc] URI SUITE COMPONENT…`) as a
// deb822 `.sources` stanza, the format Debian 12's apt documents first.

export interface Repo {
  type: 'deb' | 'deb-src';
  uri: string;
  suite: string;
  components: string[];
  architectures?: string;
  signedBy?: string;
  trusted?: boolean;
}

const OPTIONS = ['arch', 'signed-by', 'trusted'];

/** The one-line form parsed, or a message saying what is wrong with it. */
export function parseRepoLine(line: string): Repo | string {
  const m = /^\s*(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)((?:\s+\S+)*)\s*$/.exec(line);
  if (!m) return 'expected `deb [options] URI SUITE [COMPONENT…]`';
  const [, type, opts, uri, suite, comps] = m;
  if (!/^(https?|file|cdrom|mirror\+https?):/.test(uri)) return `unsupported URI ${JSON.stringify(uri)}`;
  const repo: Repo = { type: type as Repo['type'], uri, suite, components: comps.trim() ? comps.trim().split(/\s+/) : [] };
  if (!suite.endsWith('/') && !repo.components.length) return 'a suite that is not a path (ending in /) needs components';
  for (const opt of (opts ?? '').trim().split(/\s+/).filter(Boolean)) {
    const [k, v] = opt.split('=', 2);
    if (!OPTIONS.includes(k) || v === undefined) return `option ${JSON.stringify(opt)} is not supported (${OPTIONS.join(', ')})`;
    if (k === 'arch') repo.architectures = v.split(',').join(' ');
    if (k === 'signed-by') repo.signedBy = v;
    if (k === 'trusted') repo.trusted = v === 'yes';
  }
  return repo;
}

/** The stanza, with an optional comment line (Salt's `humanname`). */
export function toDeb822(repo: Repo, comment?: string): string {
  const fields: [string, string | undefined][] = [
    ['Types', repo.type],
    ['URIs', repo.uri],
    ['Suites', repo.suite],
    ['Components', repo.components.join(' ') || undefined],
    ['Architectures', repo.architectures],
    ['Signed-By', repo.signedBy],
    ['Trusted', repo.trusted === undefined ? undefined : repo.trusted ? 'yes' : 'no'],
  ];
  const head = comment ? `# ${comment}\n` : '';
  return head + fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
}
