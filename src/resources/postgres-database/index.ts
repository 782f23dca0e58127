// postgres_database.present / absent (Salt's names): a database on the local PostgreSQL server,
// read from the catalog, made with CREATE DATABASE (owner, encoding, locale, template) fed to psql
// on stdin. Encoding and locale cannot change in place: a difference fails the plan.
import { MissingError, StateFailure } from '../../core/errors.js';
import type { Args } from '../../core/args.js';
import type { Change, ResourceFunction, ResourceKind } from '../resource.js';
import { predictCatalog, readCatalog, type Database } from '../postgres/catalog.js';
import { ident, literal, objectName, psqlExec } from '../postgres/psql.js';

export interface PostgresDatabaseSpec {
  name: string;
  owner?: string;
  encoding?: string;
  lcCollate?: string;
  lcCtype?: string;
  /** Used only when creating (Salt's meaning); template0 lets encoding and locale differ from template1. */
  template?: string;
}

/** Encodings and locales as the server may spell them: UTF8 = utf-8, C.UTF-8 = C.utf8. */
const sameEncoding = (a: string, b: string) => a.replace(/[-_]/g, '').toUpperCase() === b.replace(/[-_]/g, '').toUpperCase();
const sameLocale = (a: string, b: string) => {
  const norm = (l: string) => l.replace(/\.([^@]*)/, (_, cs: string) => '.' + cs.replace(/-/g, '').toLowerCase());
  return norm(a) === norm(b);
};

/** A text argument that goes into SQL as a literal: no NUL, not empty. */
function setting(a: Args, key: string): string | undefined {
  const v = a.str(key);
  if (v !== undefined && (!v || v.includes('\0'))) a.problem(key, 'must be a non-empty string without NUL characters');
  return v;
}

export const present: ResourceFunction<PostgresDatabaseSpec> = {
  parse(a) {
    return {
      name: objectName(a)!,
      owner: objectName(a, 'owner'),
      encoding: setting(a, 'encoding'),
      lcCollate: setting(a, 'lc_collate'),
      lcCtype: setting(a, 'lc_ctype'),
      template: objectName(a, 'template'),
    };
  },

  async plan(spec, { host }) {
    const create = createChange(spec);
    const { catalog, blocked } = await readCatalog(host);
    const db = catalog.databases.get(spec.name);
    // A new cluster (blocked: postgresql still to come) is read whole once it is there.
    if (blocked) return { changes: [create], blocked };
    if (spec.owner && !catalog.roles.has(spec.owner)) throw new MissingError(`no role ${spec.owner} to own database ${spec.name}`);
    if (!db) {
      if (spec.template && !catalog.databases.has(spec.template)) throw new StateFailure(`no template database ${spec.template}`);
      return { changes: [create] };
    }
    const fixed = unchangeable(spec, db);
    if (fixed.length) throw new StateFailure(`database ${spec.name} has ${fixed.join(', ')}: PostgreSQL cannot change that in place (dump, drop, create anew, restore)`);
    if (spec.owner && db.owner !== spec.owner) return { changes: [ownerChange(db, spec.owner)] };
    return { changes: [], comment: `database ${spec.name} is as declared` };
  },
};

export const absent: ResourceFunction<{ name: string }> = {
  parse: (a) => ({ name: objectName(a)! }),

  async plan(spec, { host }) {
    const { catalog, blocked } = await readCatalog(host);
    const db = catalog.databases.get(spec.name);
    if (!db) return { changes: [], comment: `no database ${spec.name}`, blocked };
    const sql = `DROP DATABASE ${ident(spec.name)};\n`;
    return {
      changes: [{ summary: `drop database ${spec.name} (owner ${db.owner})`, detail: { database: { old: spec.name, new: null } }, apply: (h) => psqlExec(h, sql), predict: (o) => predictCatalog(o, 'database', spec.name, null) }],
    };
  },
};

function createChange(spec: PostgresDatabaseSpec): Change {
  const opts = [
    spec.owner && `OWNER ${ident(spec.owner)}`,
    spec.encoding && `ENCODING ${literal(spec.encoding)}`,
    spec.lcCollate && `LC_COLLATE ${literal(spec.lcCollate)}`,
    spec.lcCtype && `LC_CTYPE ${literal(spec.lcCtype)}`,
    spec.template && `TEMPLATE ${ident(spec.template)}`,
  ].filter(Boolean);
  const sql = `CREATE DATABASE ${ident(spec.name)}${opts.length ? ` WITH ${opts.join(' ')}` : ''};\n`;
  const said = [spec.owner && `owner ${spec.owner}`, spec.encoding, spec.lcCollate && `collate ${spec.lcCollate}`, spec.lcCtype && `ctype ${spec.lcCtype}`, spec.template && `from ${spec.template}`].filter(Boolean);
  return {
    summary: `create database ${spec.name}${said.length ? ` (${said.join(', ')})` : ''}`,
    detail: { database: { old: null, new: spec.name }, ...(spec.owner ? { owner: { old: null, new: spec.owner } } : {}) },
    apply: (h) => psqlExec(h, sql),
    // Encoding and locale as asked, else the server's defaults: unknown here, so left empty.
    predict: (o) => predictCatalog(o, 'database', spec.name, { name: spec.name, owner: spec.owner ?? 'postgres', encoding: spec.encoding ?? '', collate: spec.lcCollate ?? '', ctype: spec.lcCtype ?? '' }),
  };
}

function ownerChange(db: Database, to: string): Change {
  const sql = `ALTER DATABASE ${ident(db.name)} OWNER TO ${ident(to)};\n`;
  return { summary: `owner ${db.owner} → ${to}`, detail: { owner: { old: db.owner, new: to } }, apply: (h) => psqlExec(h, sql), predict: (o) => predictCatalog(o, 'database', db.name, { ...db, owner: to }) };
}

function unchangeable(spec: PostgresDatabaseSpec, db: Database): string[] {
  const out: string[] = [];
  if (spec.encoding && !sameEncoding(spec.encoding, db.encoding)) out.push(`encoding ${db.encoding}, not ${spec.encoding}`);
  if (spec.lcCollate && !sameLocale(spec.lcCollate, db.collate)) out.push(`lc_collate ${db.collate}, not ${spec.lcCollate}`);
  if (spec.lcCtype && !sameLocale(spec.lcCtype, db.ctype)) out.push(`lc_ctype ${db.ctype}, not ${spec.lcCtype}`);
  return out;
}

export const postgresDatabase: ResourceKind = { present, absent };
