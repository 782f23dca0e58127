// The `ufw` kind: rule, default, enabled. Planned from ufw's own files (no `ufw status`),
// changed with ufw commands; enabling is refused when it would cut off SSH.
import { MissingError, UnknownError } from '../../core/errors.js';
import { run } from '../../host/run.js';
import type { Change, ResourceFunction, ResourceKind } from '../resource.js';
import type { FileWriter, Host, HostView } from '../../host/types.js';
import { hexComment, loadUfw, policyOf, predictSetting, predictTuples, readUfw, UFW_FILES, type UfwState } from './rules.js';
import { declare } from '../declared.js';
import { guardSsh } from './guard.js';
import { describeRule, expectedTuples, parseRule, ruleArgv, sameTarget, type RuleSpec } from './rule-spec.js';

/** ufw's state; a MissingError when ufw is not installed (in --test a pending install is unknown instead). */
async function installedUfw(host: HostView): Promise<UfwState> {
  const ufw = await readUfw(host);
  if (ufw.installed) return ufw;
  throw new MissingError('ufw is not installed');
}

function ufwChange(summary: string, argv: string[], detail: Record<string, unknown>, predict: Change['predict'], before?: (h: Host) => Promise<void>): Change {
  return {
    summary,
    detail,
    predict,
    async apply(h) {
      await before?.(h);
      await run(h, argv);
    },
  };
}

export const rule: ResourceFunction<RuleSpec> = {
  parse: parseRule,
  async prefetch(specs, host) {
    declare(host, 'ufw.rule', specs);
  },
  async plan(spec, { host }) {
    const ufw = await installedUfw(host);
    const want = expectedTuples(spec, ufw.ipv6);
    const found = want.map((w) => ({ w, have: ufw.tuples.find((t) => sameTarget(t, w)) }));
    const missing = found.filter((f) => !f.have);
    // Without a comment declared, an existing comment is left alone rather than erased.
    const differs = found.filter((f) => f.have && (f.have.action !== f.w.action || (spec.comment !== undefined && f.have.comment !== f.w.comment)));
    if (!missing.length && !differs.length) return { changes: [], comment: `present: ${describeRule(spec)}` };
    const what = describeRule(spec);
    const was = differs[0]?.have;
    const summary = missing.length
      ? `add rule: ${what}${missing.length < want.length ? ` (${missing[0].w.v6 ? 'IPv6' : 'IPv4'} only missing)` : ''}`
      : `update rule: ${what} (was ${was!.action}${spec.comment !== undefined && was!.comment !== differs[0].w.comment ? ', other comment' : ''})`;
    // ufw replaces a rule whose action changes; keep its comment unless one is declared.
    const kept = spec.comment === undefined && was?.comment ? { ...spec, comment: Buffer.from(was.comment, 'hex').toString('utf8') } : spec;
    const tuples = want.map((w) => ({ ...w, comment: kept.comment ? hexComment(kept.comment) : '' }));
    const predict = (o: FileWriter) => predictTuples(o, tuples, sameTarget);
    return { changes: [ufwChange(summary, ruleArgv(kept), { rule: { old: was?.action ?? null, new: spec.action } }, predict)] };
  },
};

const DIRECTIONS = { incoming: 'DEFAULT_INPUT_POLICY', outgoing: 'DEFAULT_OUTPUT_POLICY', routed: 'DEFAULT_FORWARD_POLICY' } as const;
type Direction = keyof typeof DIRECTIONS;
const POLICIES = ['allow', 'deny', 'reject'] as const;
const TO_FILE = { allow: 'ACCEPT', deny: 'DROP', reject: 'REJECT' } as const;

type DefaultSpec = Partial<Record<Direction, (typeof POLICIES)[number]>>;

export const defaults: ResourceFunction<DefaultSpec> = {
  parse(a) {
    const spec: DefaultSpec = {};
    for (const d of Object.keys(DIRECTIONS) as Direction[]) {
      if (a.has(d)) spec[d] = a.oneOf(d, POLICIES, 'deny');
    }
    if (!Object.keys(spec).length) a.problem(undefined, 'give at least one of incoming, outgoing, routed');
    return spec;
  },
  async prefetch(specs, host) {
    declare(host, 'ufw.default', specs);
  },
  async plan(spec, { host }) {
    const ufw = await installedUfw(host);
    const changes: Change[] = [];
    for (const d of Object.keys(spec) as Direction[]) {
      const want = spec[d]!;
      const have = policyOf(ufw.defaults[DIRECTIONS[d]]) ?? ufw.defaults[DIRECTIONS[d]] ?? 'unset';
      if (have === want) continue;
      // Denying incoming traffic on a running firewall can cut off SSH just like enabling it.
      const guard = d === 'incoming' && want !== 'allow' && ufw.enabled;
      if (guard) await guardSsh(host, ufw, `set the incoming default to ${want}`, { incoming: want, declared: true });
      const recheck = async (h: Host) => {
        const now = await loadUfw(h);
        if (guard && now.enabled) await guardSsh(h, now, `set the incoming default to ${want}`, { incoming: want, declared: false });
      };
      const predict = (o: FileWriter) => predictSetting(o, UFW_FILES.defaults, DIRECTIONS[d], `"${TO_FILE[want]}"`);
      changes.push(ufwChange(`default ${d}: ${have} → ${want}`, ['ufw', 'default', want, d], { [d]: { old: have, new: want } }, predict, recheck));
    }
    return { changes, comment: changes.length ? '' : Object.entries(spec).map(([d, p]) => `${d} ${p}`).join(', ') };
  },
};

const NOT_INSTALLED: UfwState = { installed: false, enabled: false, ipv6: false, defaults: {}, tuples: [] };

export const enabled: ResourceFunction<Record<string, never>> = {
  parse: () => ({}),
  async plan(_spec, { host }) {
    const stored = await readUfw(host).catch(async (err) => {
      // ufw is yet to be installed (--test): what it is unknown, but no rule declared for SSH is known now.
      if (err instanceof UnknownError) await guardSsh(host, NOT_INSTALLED, 'enable ufw', { declared: true });
      throw err;
    });
    // Not installed yet (a pkg state may install it): what it would start with still needs the guard.
    if (!stored.installed) await guardSsh(host, stored, 'enable ufw', { declared: true });
    const ufw = await installedUfw(host);
    if (ufw.enabled) return { changes: [], comment: 'ufw is enabled' };
    // --test: rules earlier states will add count; right before enabling, only stored rules do.
    await guardSsh(host, ufw, 'enable ufw', { declared: true });
    const recheck = async (h: Host) => guardSsh(h, await loadUfw(h), 'enable ufw', { declared: false });
    const predict = (o: FileWriter) => predictSetting(o, UFW_FILES.conf, 'ENABLED', 'yes');
    return { changes: [ufwChange('enable ufw', ['ufw', '--force', 'enable'], { enabled: { old: false, new: true } }, predict, recheck)] };
  },
};

export const ufw: ResourceKind = { rule, default: defaults, enabled };
