// A declared state: one `kind.function` under an ID, as read from a state file.

export const REQUISITE_TYPES = ['require', 'watch', 'onchanges', 'onfail', 'listen'] as const;
export type RequisiteType = (typeof REQUISITE_TYPES)[number];

/** What a requisite points at: an ID (any kind), `kind: id-or-name`, or every state of an `sls`. */
export type RequisiteTarget = { kind?: string; ref: string } | { sls: string };

export interface Requisite {
  type: RequisiteType;
  target: RequisiteTarget;
  /** Declared on the other side (`require_in` etc.). */
  inverted: boolean;
  line: number;
}

/**
 * Salt's global `unless`, `onlyif` and `creates`: checked before the state plans. Commands are
 * argv lists (a string command is `/bin/sh -c STRING`, as Salt runs it); `creates` holds paths.
 */
export interface Condition {
  type: 'unless' | 'onlyif' | 'creates';
  commands: string[][];
  line: number;
  /** The state's own runas, cwd and env (Salt runs its checks with them). */
  runas?: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** Salt's `order`: a number, `first` or `last` (negative numbers count back from last). */
export type Order = number | 'first' | 'last';

export interface StateDecl {
  /** Unique key: `id|kind`. */
  key: string;
  id: string;
  kind: string;
  fn: string;
  /** The `name` argument, defaulting to the ID. */
  name: string;
  /** The resource's own arguments (requisites removed; `name` kept). */
  args: Record<string, unknown>;
  argLines: Record<string, number>;
  requisites: Requisite[];
  conditions: Condition[];
  order?: Order;
  /** State file name (`nginx.site`) and path relative to the project dir. */
  sls: string;
  file: string;
  line: number;
  /** Position in file order, for stable ordering. */
  index: number;
}

/** `id|kind`; a state expanded from `names` adds `|name`. */
export const stateKey = (id: string, kind: string, name?: string): string => (name === undefined ? `${id}|${kind}` : `${id}|${kind}|${name}`);
export const describeTarget = (t: RequisiteTarget): string =>
  'sls' in t ? `sls: ${t.sls}` : t.kind ? `${t.kind}: ${t.ref}` : t.ref;
