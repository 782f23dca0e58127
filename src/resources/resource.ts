// The contract every resource kind implements: parse a spec, plan against a read-only view.
import type { FileSource, Host, HostView } from '../host/types.js';
import type { Overlay } from '../host/predicted.js';
import type { Args } from '../core/args.js';
import type { Secrets } from '../core/secrets.js';
import type { StateDecl } from '../core/state.js';

/** One thing that is not yet as declared, and the action that makes it so. */
export interface Change {
  /** Human summary: "create file", "mode 0644 → 0600". */
  summary: string;
  /** Unified diff, when content changes. */
  diff?: string;
  /** Structured detail for --json (old/new values). */
  detail?: Record<string, unknown>;
  /**
   * False for changes whose effect the host cannot show afterwards (a command that runs each
   * time): the engine's re-plan after apply does not count them as left over.
   */
  converges?: boolean;
  /** Makes the change true; only the engine calls it, and only outside --test. */
  apply(host: Host): Promise<void>;
  /**
   * The change's effect on the host as brine reads it, written into the predicted host that later
   * states plan against (in --test, and in apply's whole-run lockout check). See PREDICTING below.
   */
  predict?(overlay: Overlay): Promise<void>;
}

/*
 * PREDICTING. A dry run plans each state against the host as the changes planned before it will
 * leave it: a PredictedHost, an in-memory overlay over the real host. A change states its effect
 * with `predict(overlay)`. The overlay has Host's file methods (writeFile, mkdir, chmod, chown,
 * symlink, remove, rename) and reads back what was predicted, so a change whose `apply` only uses
 * those methods predicts itself: `{ apply: write, predict: write }`. A change that runs a command
 * writes the files that command changes, as brine reads them (useradd → /etc/passwd and
 * /etc/group lines and the home; ufw allow → a tuple line in user.rules; apt-get install → a stanza
 * in dpkg's status). What no file holds is a fact (`overlay.setFact('unit', 'nginx.service',
 * {activeState: 'active'})`, read with `host.predicted?.(topic, key)`). What cannot be known before
 * the change is made (what a package ships) is `overlay.unknown(...)`: reads there are blocked,
 * never guessed. A change without `predict` still works: its effect is unknown, so states that
 * require its state and cannot plan report "depends on X (pending)".
 */

export interface Plan {
  changes: Change[];
  /** A remark for the report even without changes ("already in place", "unless: exit 0"). */
  comment?: string;
  /**
   * Why the plan cannot be told yet (--test): what it needs is unknown until a pending state is
   * applied ("unknown until nginx-light is installed"). The state is pending, never ok.
   */
  blocked?: string;
  /** A validator refused the candidate: the state fails with this reason; its changes still show. */
  rejected?: string;
}

/** What compile-time parsing may use besides the arguments: templates, pillar, facts. */
export interface ParseContext {
  decl: StateDecl;
  /** Read and render a `source:` template from the state tree (`salt://x`, `brine://x`, `x`). */
  loadSource(source: string, opts: { render: boolean; context?: Record<string, unknown> }): string | Buffer | FileSource;
  /** The files under a directory of the state tree (`salt://dir`), as paths relative to it; undefined if none. */
  listSource(source: string): string[] | undefined;
  /**
   * A pillar value by Salt's colon path (`app:tls:key`); undefined when missing. `secret`: it
   * comes from a secrets.yaml file (or holds a secret value), so nothing may show its content.
   */
  pillar(path: string): { value: unknown; secret: boolean } | undefined;
}

export interface PlanContext {
  host: HostView;
  decl: StateDecl;
  /** brine's own root-only directory on the host (backups, run log, lock). */
  varDir: string;
  /** The run's secret values, for resources that must hide more than the values themselves. */
  secrets?: Secrets;
}

export interface ResourceFunction<S = unknown> {
  /** Validate and normalise arguments; problems go to `args`, not exceptions. */
  parse(args: Args, ctx: ParseContext): S;
  /** Read the host and return what must change. Never writes: it only gets a HostView. */
  plan(spec: S, ctx: PlanContext): Promise<Plan>;
  /**
   * Reaction when a watched state changed (Salt's mod_watch): restart, reload, rerun.
   * `own` are the state's own changes this run (a service just started needs no restart).
   */
  watch?(spec: S, ctx: PlanContext, own: Change[]): Promise<Change[]>;
  /** The function reads `names` itself (ssh_auth: keys of one file) instead of one state per name. */
  ownNames?: boolean;
  /** Batch reads for every state of this function before planning (one dpkg-query, one systemctl show). */
  prefetch?(specs: S[], host: HostView): Promise<void>;
  /** Applying several states' changes at once (every package of a run in one apt-get). */
  batch?: Batch<S>;
}

/**
 * States of functions sharing a batch `group` whose requisites allow it are planned before the
 * ordered pass and applied together; each then reports its own changes and is re-planned like
 * any other state. A state whose changes the batch does not `accept` (and every state, if
 * `apply` throws) is applied on its own in the ordered pass, as without batching.
 */
export interface Batch<S = unknown> {
  group: string;
  /** Pure: whether these planned changes can join the batch. */
  accepts(changes: Change[]): boolean;
  apply(items: { spec: S; changes: Change[] }[], host: Host): Promise<void>;
  /** The batch's effect on a dry run's predicted host, as one transaction (instead of each change's). */
  predict?(items: { spec: S; changes: Change[] }[], o: Overlay): Promise<void>;
}

export type ResourceKind = Record<string, ResourceFunction>;

/** Registry: kind name → function name → implementation. */
export type Registry = Record<string, ResourceKind>;
