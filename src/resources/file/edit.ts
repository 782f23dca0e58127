// Edits of part of a text file (append, replace, blockreplace, /etc/hosts…): the plan shows the
// diff; apply re-reads the file and edits what is there then, keeping its owner and mode.
import { unifiedDiff } from '../../core/diff.js';
import { MissingError, StateFailure } from '../../core/errors.js';
import type { HostView } from '../../host/types.js';
import type { Secrets } from '../../core/secrets.js';
import type { Change } from '../resource.js';
import { hideSecretLines } from './secret-diff.js';

export interface TextEdit {
  path: string;
  /** The file as it should be; `null` text means the file does not exist yet. */
  edit(text: string | null): string;
  /** May the edit create the file (mode 0644, root) when it is missing? */
  create: boolean;
  summary?: (before: string | null, after: string) => string;
  showChanges?: boolean;
  /** The run's secrets: a diff of a file holding one masks its removed lines whole. */
  secrets?: Secrets;
}

/** The change that makes the edit, or none; a missing file the edit may not create is an error. */
export async function planEdit(host: HostView, e: TextEdit): Promise<Change[]> {
  const st = await host.stat(e.path);
  if (st && st.type !== 'file') throw new StateFailure(`${e.path} exists and is a ${st.type}, not a file`);
  if (!st && !e.create) throw new MissingError(`${e.path} does not exist`);
  const before = st ? await host.readFile(e.path) : null;
  const after = e.edit(before);
  if (after === before || (before === null && after === '' && !e.create)) return [];
  return [
    {
      summary: e.summary?.(before, after) ?? (before === null ? `create ${e.path}` : `edit ${e.path}`),
      diff: e.showChanges === false ? undefined : hideSecretLines(unifiedDiff(e.path, before, after), after, e.secrets),
      apply: async (h) => {
        const now = await h.stat(e.path);
        const text = now ? await h.readFile(e.path) : null;
        await h.writeFile(e.path, e.edit(text), { mode: now?.mode ?? 0o644, uid: now?.uid ?? 0, gid: now?.gid ?? 0 });
      },
    },
  ];
}

/** Text split into lines, remembering whether it ended with a newline. */
export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** `text` with `more` lines after it, adding the newline a last line lacked. */
export function appendLines(text: string, more: string[]): string {
  if (!more.length) return text;
  const head = text === '' || text.endsWith('\n') ? text : text + '\n';
  return head + more.join('\n') + '\n';
}
