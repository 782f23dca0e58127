// postgres_user.present / absent (Salt's names): a role on the local PostgreSQL server, read from
// the catalog, changed with one CREATE/ALTER/DROP ROLE fed to psql on stdin. A password is stored
// as a SCRAM verifier brine computes, so the password itself never leaves brine.
import { StateFailure } from '../../core/errors.js';
import type { Change, Plan, PlanContext, ResourceFunction, ResourceKind } from '../resource.js';
import { predictCatalog, readCatalog, type Role } from '../postgres/catalog.js';
import { ident, literal, objectName, psqlExec } from '../postgres/psql.js';
import { scramVerifier, verifies } from '../postgres/scram.js';

/** Role attributes by Salt's argument name: catalog field and SQL keyword. */
const FLAGS = {
  login: ['login', 'LOGIN'],
  createdb: ['createdb', 'CREATEDB'],
  createroles: ['createrole', 'CREATEROLE'],
  superuser: ['superuser', 'SUPERUSER'],
  replication: ['replication', 'REPLICATION'],
  inherit: ['inherit', 'INHERIT'],
} as const;
type Flag = keyof typeof FLAGS;

export interface PostgresUserSpec {
  name: string;
  /** Only the attributes the state sets are managed; `login` defaults to true for a new role (a user). */
  flags: Partial<Record<Flag, boolean>>;
  password?: string;
  /** Salt's refresh_password: set the password every run (it cannot be compared). */
  refreshPassword: boolean;
}

const sqlFlag = (flag: Flag, on: boolean) => `${on ? '' : 'NO'}${FLAGS[flag][1]}`;

export const present: ResourceFunction<PostgresUserSpec> = {
  parse(a) {
    const flags: PostgresUserSpec['flags'] = {};
    for (const f of Object.keys(FLAGS) as Flag[]) if (a.has(f)) flags[f] = a.bool(f, false);
    const password = a.str('password');
    if (password !== undefined && !password) a.problem('password', 'must not be empty (leave it out for a role without a password)');
    return { name: objectName(a)!, flags, password, refreshPassword: a.bool('refresh_password', false) };
  },

  async plan(spec, { host, secrets }: PlanContext) {
    const create = { login: true, ...spec.flags };
    const { catalog, blocked } = await readCatalog(host);
    const planned = planRole(spec, catalog.roles.get(spec.name), create, secrets);
    return blocked ? { ...planned, blocked } : planned;
  },
};

function planRole(spec: PostgresUserSpec, role: Role | undefined, create: Partial<Record<Flag, boolean>>, secrets: PlanContext['secrets']): Plan {
  {
    // A verifier is as good as a password to an offline guesser: masked wherever brine prints.
    const verifier = spec.password === undefined ? undefined : scramVerifier(spec.password);
    if (verifier) secrets?.add(verifier);
    if (role?.password) secrets?.add(role.password);

    if (!role) {
      const attrs = (Object.keys(create) as Flag[]).map((f) => sqlFlag(f, create[f]!));
      const sql = `CREATE ROLE ${ident(spec.name)} WITH ${attrs.join(' ')}${verifier ? ` PASSWORD ${literal(verifier)}` : ''};\n`;
      const made: Role = { name: spec.name, login: false, createdb: false, createrole: false, superuser: false, replication: false, inherit: true, password: verifier ?? null };
      for (const f of Object.keys(create) as Flag[]) (made as unknown as Record<string, unknown>)[FLAGS[f][0]] = create[f];
      return { changes: [change(createSummary(spec.name, create, !!verifier), sql, { role: { old: null, new: spec.name }, ...flagDetail(undefined, create) }, made)] };
    }
    const differ = (Object.keys(spec.flags) as Flag[]).filter((f) => role[FLAGS[f][0]] !== spec.flags[f]);
    const newPassword = spec.password !== undefined && (spec.refreshPassword || !verifies(role.password, spec.password));
    if (!differ.length && !newPassword) return { changes: [], comment: `role ${spec.name} is as declared` };
    const parts = differ.map((f) => `${f} ${role[FLAGS[f][0]]} → ${spec.flags[f]}`);
    if (newPassword) parts.push(role.password ? 'change password' : 'set password');
    const sql = `ALTER ROLE ${ident(spec.name)} WITH ${differ.map((f) => sqlFlag(f, spec.flags[f]!)).join(' ')}${newPassword ? ` PASSWORD ${literal(verifier!)}` : ''};\n`;
    const detail = { ...flagDetail(role, Object.fromEntries(differ.map((f) => [f, spec.flags[f]]))), ...(newPassword ? { password: 'changed' } : {}) };
    const after: Role = { ...role, ...Object.fromEntries(differ.map((f) => [FLAGS[f][0], spec.flags[f]])), password: newPassword ? verifier! : role.password };
    return { changes: [change(`role ${spec.name}: ${parts.join(', ')}`, sql, detail, after)] };
  }
}

export const absent: ResourceFunction<{ name: string }> = {
  parse: (a) => ({ name: objectName(a)! }),

  async plan(spec, { host }) {
    const { catalog, blocked } = await readCatalog(host);
    if (!catalog.roles.has(spec.name)) return { changes: [], comment: `no role ${spec.name}`, blocked };
    const owned = [...catalog.databases.values()].filter((d) => d.owner === spec.name).map((d) => d.name);
    if (owned.length) throw new StateFailure(`role ${spec.name} owns database ${owned.join(', ')}: drop it or give it another owner first`);
    return { changes: [change(`drop role ${spec.name}`, `DROP ROLE ${ident(spec.name)};\n`, { role: { old: spec.name, new: null } }, null, spec.name)] };
  },
};

function createSummary(name: string, flags: Partial<Record<Flag, boolean>>, password: boolean): string {
  const on = (Object.keys(flags) as Flag[]).filter((f) => flags[f]);
  return `create role ${name}${on.length ? ` (${on.join(', ')})` : ''}${password ? ' with password' : ''}`;
}

function flagDetail(role: Role | undefined, flags: Partial<Record<Flag, boolean>>): Record<string, unknown> {
  return Object.fromEntries((Object.keys(flags) as Flag[]).map((f) => [f, { old: role ? role[FLAGS[f][0]] : null, new: flags[f] }]));
}

const change = (summary: string, sql: string, detail: Record<string, unknown>, after: Role | null, name = after?.name ?? ''): Change => ({
  summary,
  detail,
  apply: (h) => psqlExec(h, sql),
  predict: (o) => predictCatalog(o, 'role', name, after),
});

export const postgresUser: ResourceKind = { present, absent };
