// `{{sh value}}`: a pillar value as one shell word, for commands that run through /bin/sh. In a
// state file the word must also stay inside its YAML scalar, so there it is written so that no
// YAML-significant sequence (` #`, `: `, `,`, brackets) appears, and it may not start the value.
import { shellWord } from '../core/shell-word.js';

export { shellWord };

/** The same word for a state file: YAML's indicators outside the quotes (`'\#'`), no newline. */
export function shellWordInYaml(value: unknown): string {
  if (typeof value === 'string' && /[\r\n]/.test(value)) {
    throw new Error('sh: a value with a line break cannot go into a command in a state file; pass it with env: or stdin:');
  }
  return shellWord(value).replace(/[#:,[\]{}]/g, `'\\$&'`);
}

export const SH_AT_START =
  'sh: {{sh …}} cannot start a YAML value (YAML would read the quotes itself): start the command with its program (`name: useradd -c {{sh pillar.x}} app`)';

type AstNode = { type?: string; path?: { type?: string; original?: string; parts?: string[] }; value?: string; [k: string]: unknown };

/** In a state file, route `{{sh x}}` to the YAML-safe form, or to an error where it starts a value. */
export function markShellWords(node: unknown, pathNode: (name: string, loc: unknown) => unknown): void {
  if (!node || typeof node !== 'object') return;
  const n = node as AstNode;
  const body = n.body as AstNode[] | undefined;
  if (Array.isArray(body)) {
    body.forEach((child, i) => {
      if (child.type !== 'MustacheStatement' || child.path?.type !== 'PathExpression' || child.path.original !== 'sh') return;
      const before = i > 0 && body[i - 1].type === 'ContentStatement' ? String(body[i - 1].value) : '\n';
      // What precedes it on its line, without indentation, list dashes and a `key: `.
      const lead = before.slice(before.lastIndexOf('\n') + 1).replace(/^[ \t]*(-[ \t]+)*/, '').replace(/^.*?:[ \t]+/, '');
      const startsValue = lead.trim() === '';
      child.path = pathNode(startsValue ? '__sh_start' : '__sh_yaml', child.loc) as AstNode['path'];
    });
  }
  for (const key of ['body', 'program', 'inverse']) {
    const c = n[key];
    if (Array.isArray(c)) c.forEach((x) => markShellWords(x, pathNode));
    else if (c) markShellWords(c, pathNode);
  }
}
