// file.managed: a file's content (inline or a rendered template), owner, group and mode.
// Atomic replace, a backup of the old file, and check_cmd run on the candidate first. Salt's
// contents_pillar (a secret one never shown) and source_hash (checked when compiling) too.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { StateFailure } from '../../core/errors.js';
import { staleTemps } from '../../host/leftovers.js';
import { isFileSource, type FileSource, type FileWriter, type HostView } from '../../host/types.js';
import type { Change, ParseContext, PlanContext, ResourceFunction } from '../resource.js';
import { backupDir, backupPath } from './backup.js';
import { checkCandidate, checkInPlace } from './check.js';
import { octal, parseOwnership, planOwnership, resolveOwnership, type Ownership } from './ownership.js';
import { parsePath, planParents } from './paths.js';
import { hideSecretLines } from './secret-diff.js';
import { checkSourceHash } from './source-hash.js';

export interface ManagedSpec extends Ownership {
  path: string;
  /** The bytes, or a large source file by reference (streamed, never held whole). */
  content: string | Buffer | FileSource;
  makedirs: boolean;
  backup: boolean;
  replace: boolean;
  showChanges: boolean;
  checkCmd?: string[];
  checkInPlace?: string[];
  /** The secret pillar key the content comes from: no diff or digest of it is ever shown. */
  hidden?: string;
}

export const managed: ResourceFunction<ManagedSpec> = {
  parse(a: Args, ctx: ParseContext): ManagedSpec {
    const path = parsePath(a);
    const pillarKey = a.str('contents_pillar');
    const fromPillar = pillarKey === undefined ? undefined : ctx.pillar(pillarKey);
    if (pillarKey !== undefined && !fromPillar) a.problem('contents_pillar', `pillar key ${JSON.stringify(pillarKey)} is missing (Salt's colon path: app:tls:key)`);
    const inline = a.raw('contents');
    const contents = pillarKey !== undefined ? fromPillar?.value : inline;
    const source = a.str('source');
    const sourceHash = a.str('source_hash');
    const template = parseTemplate(a);
    const context = a.mapping('context');
    let content: string | Buffer | FileSource = '';
    if (pillarKey !== undefined && (inline !== undefined || source !== undefined)) a.problem('contents_pillar', 'give one of contents, contents_pillar and source');
    else if (contents !== undefined && source !== undefined) a.problem('source', 'give either contents or source, not both');
    else if (source !== undefined) {
      if (sourceHash !== undefined) checkSourceHash(a, sourceHash, source, ctx.loadSource(source, { render: false }));
      // As in Salt, a source without `template:` is copied byte for byte.
      content = ctx.loadSource(source, { render: template === 'handlebars', context });
      if (template === undefined && looksLikeHandlebars(content)) {
        a.problem('source', "this file holds Handlebars ({{pillar…}}) but the state sets no template: a source without one is copied as is (as in Salt); set `template: handlebars` to render it, or `template: none` to copy it");
      }
    }
    else if (contents !== undefined) {
      if (Array.isArray(contents) && contents.every((l) => typeof l === 'string')) content = contents.join('\n');
      else if (typeof contents === 'string' || typeof contents === 'number') content = String(contents);
      else a.problem(pillarKey !== undefined ? 'contents_pillar' : 'contents', `expected a string or a list of lines${pillarKey !== undefined ? ` at pillar key ${pillarKey}` : ''}`);
    }
    if (sourceHash !== undefined && source === undefined) a.problem('source_hash', 'checks a source: give source too');
    if (typeof content === 'string' && a.bool('contents_newline', true) && content && !content.endsWith('\n')) content += '\n';
    return {
      path,
      content,
      ...parseOwnership(a),
      makedirs: a.bool('makedirs', false),
      backup: a.bool('backup', true),
      replace: a.bool('replace', true),
      showChanges: a.bool('show_changes', true),
      checkCmd: a.argv('check_cmd'),
      checkInPlace: a.argv('check_in_place'),
      hidden: fromPillar?.secret ? pillarKey : undefined,
    };
  },

  async plan(spec, ctx: PlanContext) {
    const { host } = ctx;
    const st = await host.stat(spec.path);
    if (st && st.type !== 'file') throw new StateFailure(`${spec.path} exists and is a ${st.type}, not a file`);
    const want = isFileSource(spec.content) ? spec.content : Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content);
    const current = st && !isFileSource(want) ? await host.readBytes(spec.path) : null;
    const oldHash = isFileSource(want) ? (st && st.size === want.size ? await host.hashFile(spec.path) : null) : current && sha256(current);
    const sameContent = isFileSource(want) ? oldHash === want.sha256 : current !== null && current.equals(want);
    if (st && (sameContent || !spec.replace)) {
      return { changes: await planOwnership(host, spec.path, st, spec), comment: sameContent ? '' : 'exists; replace: false' };
    }
    const mode = spec.mode ?? st?.mode ?? 0o644;
    const diff = !spec.showChanges ? undefined : spec.hidden ? `File ${spec.path}: content hidden (from secret pillar key ${spec.hidden})\n` : isFileSource(want) ? `File ${spec.path} differs (${want.size} bytes, too large to diff)\n` : hideSecretLines(unifiedDiff(spec.path, current, want), want, ctx.secrets);
    const size = isFileSource(want) ? want.size : want.length;
    const summary = st ? 'update content' : `create file (${size} bytes, mode ${octal(mode)})`;
    const changes: Change[] = st ? [] : await planParents(host, spec.path, spec.makedirs);
    const { uid, gid } = await resolveOwnership(host, spec);
    changes.push(...(await planLeftovers(host, spec.path, backupDir(ctx.varDir, spec.path, ctx.secrets))));
    const write = async (h: FileWriter) => {
      await h.writeFile(spec.path, want, { mode, uid: uid ?? st?.uid, gid: gid ?? st?.gid });
    };
    changes.push({
      summary,
      diff,
      // A digest of a short secret could be guessed back: none is shown for hidden content.
      detail: spec.hidden ? undefined : { sha256: { old: st ? (oldHash ?? (await host.hashFile(spec.path))) : null, new: isFileSource(want) ? want.sha256 : sha256(want) } },
      apply: async (h) => {
        if (st && spec.backup) {
          // The old bytes are copied from the file itself: a large one is never read whole.
          const old = current ?? { path: spec.path, size: st.size, sha256: '' };
          await h.writeFile(await backupPath(h, ctx.varDir, spec.path, ctx.secrets), old, { mode: 0o600 });
        }
        await write(h);
      },
      predict: write,
    });
    // Validators last: a rejected candidate still shows what it would have written.
    const verdict = spec.checkCmd ? await checkCandidate(host, spec.checkCmd, spec.path, want) : {};
    const inPlace = !verdict.rejected && !verdict.blocked && spec.checkInPlace ? await checkInPlace(host, spec.checkInPlace, spec.path, want, mode) : {};
    return { changes, ...verdict, ...inPlace };
  },
};

/**
 * Temp files an interrupted write of this path left (beside it, or beside its backups): only
 * looked for when the content is to be written, which an interrupted write always leaves to do.
 */
async function planLeftovers(host: HostView, path: string, backups: string): Promise<Change[]> {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const found: string[] = [];
  for (const [dir, name] of [[dirname(path), base], [backups, undefined]] as const) {
    found.push(...staleTemps((await host.readdir(dir)) ?? [], name).map((t) => join(dir, t)));
  }
  if (!found.length) return [];
  const remove = async (h: FileWriter) => {
    for (const f of found) await h.remove(f);
  };
  return [
    {
      summary: `remove ${found.length === 1 ? 'a temp file' : `${found.length} temp files`} left by an interrupted run: ${found.join(', ')}`,
      apply: remove,
      predict: remove,
    },
  ];
}

/** `handlebars`, `none`, or unset (copy as is); Salt's `jinja` gets the Handlebars way. */
function parseTemplate(a: Args): 'handlebars' | 'none' | undefined {
  const t = a.str('template');
  if (t === undefined || t === 'handlebars' || t === 'none') return t;
  if (['jinja', 'mako', 'cheetah', 'genshi', 'wempy'].includes(t)) {
    a.problem('template', `brine's templates are Handlebars, not ${t}: rewrite the source in Handlebars ({{pillar.x}}, {{#if pillar.x}}…{{/if}}, {{#each list}}…{{/each}}; see README, "Coming from Salt") and set template: handlebars`);
  } else a.problem('template', `must be handlebars or none, got ${JSON.stringify(t)}`);
  return 'none';
}

/** Text with a Handlebars expression over the render context: a file meant to be rendered. */
function looksLikeHandlebars(content: string | Buffer | FileSource): boolean {
  const bytes = isFileSource(content) ? readHead(content.path, HEAD) : Buffer.isBuffer(content) ? content.subarray(0, HEAD) : Buffer.from(content);
  const head = bytes.toString('latin1');
  return !head.includes('\0') && /\{\{\{?[#^]?\s*(pillar|secrets|grains|facts|env)\b/.test(head);
}

const HEAD = 256 * 1024;

/** The start of a large source in the state tree (streamed later, never read whole here). */
function readHead(path: string, size: number): Buffer {
  const buf = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, size, 0));
  } finally {
    closeSync(fd);
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

