// Human report in the spirit of Salt's highstate output, and the --json document.
// Every string passes through the secrets masker on its way out.
import type { Report, StateResult } from './report-types.js';
import type { Secrets } from '../core/secrets.js';

/** How much a human report says: `quiet` leaves out states with nothing to do, `verbose` shows them whole. */
export type Detail = 'quiet' | 'normal' | 'verbose';

export interface Style {
  color: boolean;
  detail?: Detail;
}

/** What the command line asked for (--no-color, --quiet, --verbose), the same for every command. */
export const outputSettings: { color?: boolean; detail: Detail } = { detail: 'normal' };

/** Colour only on a TTY and never with NO_COLOR (https://no-color.org) or --no-color. */
export function styleFor(stream: NodeJS.WriteStream): Style {
  const color = outputSettings.color ?? (Boolean(stream.isTTY) && !('NO_COLOR' in process.env));
  return { color, detail: outputSettings.detail };
}

const codes = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof codes;

/** The one colour helper: `paint(colour, text)` in ANSI colour when the style has colour. */
export const painter =
  (style: Style) =>
  (c: Colour, text: string): string =>
    style.color ? `\x1b[${codes[c]}m${text}\x1b[0m` : text;

export function formatState(result: StateResult, secrets: Secrets, style: Style): string {
  // Every field, the ID and name too: a path may hold a secret (/srv/x/owner-<secret>.txt).
  const s = secrets.maskDeep(result);
  const paint = painter(style);
  const colour: Colour = s.result === 'failed' ? 'red' : s.result === 'ok' ? 'green' : s.result === 'pending' ? 'yellow' : 'cyan';
  if (s.result === 'ok' && !s.changes.length && style.detail !== 'verbose') {
    if (style.detail === 'quiet') return '';
    return paint('green', `  ok       ${s.id} (${s.function})`) + (s.comment ? paint('dim', `  ${s.comment}`) : '') + '\n';
  }
  const field = (label: string, value: string) => `${label.padStart(12)}:${value ? ' ' + value : ''}\n`;
  const indent = ' '.repeat(14);
  let out = paint(colour, '----------') + '\n';
  out += paint(colour, field('ID', s.id));
  out += paint(colour, field('Function', s.function));
  out += paint(colour, field('Name', s.name));
  out += paint(colour, field('Result', s.result));
  if (s.comment) out += paint(colour, field('Comment', s.comment.replace(/\n/g, '\n' + indent)));
  out += paint(colour, field('Duration', `${s.durationMs} ms`));
  if (s.changes.length) {
    out += paint(colour, field('Changes', ''));
    for (const ch of s.changes) {
      out += `${indent}- ${ch.summary}\n`;
      const output = ch.detail && typeof ch.detail.stdout === 'string' ? [ch.detail.stdout, ch.detail.stderr].filter(Boolean).join('\n') : '';
      if (output) out += paint('dim', output.replace(/^/gm, indent + '  ')) + '\n';
      if (ch.diff) {
        for (const line of ch.diff.replace(/\n$/, '').split('\n')) {
          const c: Colour | undefined = line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : line.startsWith('@@') ? 'cyan' : undefined;
          out += indent + '  ' + (c ? paint(c, line) : line) + '\n';
        }
      }
    }
  }
  return out;
}

export function formatSummary(r: Report, style: Style): string {
  const paint = painter(style);
  const { succeeded, changed, pending, failed, skipped = 0, total, durationMs } = r.summary;
  const counts = r.test ? `changed=${changed}, pending=${pending}` : `changed=${changed}`;
  const head = `\nSummary for ${r.host} (env ${r.env}${r.test ? ', test' : ''})\n------------\n`;
  const notes = (r.notes ?? []).map((n) => paint('yellow', `Note: ${n}`) + '\n').join('');
  const refused = r.refused ? paint('red', `Refused: ${r.refused}. Nothing was changed.`) + '\n' : '';
  return (
    head +
    notes +
    refused +
    paint(failed || skipped ? 'yellow' : 'green', `Succeeded: ${succeeded} (${counts})`) +
    '  ' +
    paint(failed ? 'red' : 'green', `Failed: ${failed}`) +
    (skipped ? '  ' + paint('red', `Skipped: ${skipped} (a requisite failed)`) : '') +
    `  Total states: ${total}  Total time: ${(durationMs / 1000).toFixed(3)} s\n`
  );
}

export function formatReport(r: Report, secrets: Secrets, style: Style): string {
  return r.states.map((s) => formatState(s, secrets, style)).join('') + formatSummary(r, style);
}

/** The --json document: one object with every state's id, function, result, changes, comment. */
export function jsonReport(r: Report, secrets: Secrets): string {
  return JSON.stringify(secrets.maskDeep(r), null, 2) + '\n';
}
