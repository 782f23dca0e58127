// The lockout check: one look at the whole run, in --test and before apply changes anything.
// After the run (the predicted host), can the user brine provisions as, and every user with
// passwordless sudo who can log in now, still log in over SSH and get root? Each rule is checked
// before and after the run; a run that breaks one that held is refused, naming it.
import { UnknownError } from '../core/errors.js';
import type { PredictedHost } from '../host/predicted.js';
import type { HostView } from '../host/types.js';
import { memberOf, readGroups, readPasswd, readShadow } from '../resources/accounts/passwd.js';
import { parseKeysFile } from '../resources/ssh-auth/authorized-keys.js';
import { loadUfw } from '../resources/ufw/rules.js';
import { lets } from '../resources/ufw/rule-spec.js';
import { refusal, sshdFor, type SshdSettings } from './sshd-effective.js';
import { passwordlessSudoers } from './sudoers.js';

export interface Lockout {
  /** The rule this run would break; the run is refused and changes nothing. */
  refused?: string;
  /** Said before applying: the last run as root, or what could not be checked yet. */
  notes: string[];
}

interface Side {
  view: HostView;
  after?: PredictedHost;
  /** sshd -T per user on this side: asked once. */
  sshd: Map<string, ReturnType<typeof sshdFor>>;
}

function sshdOn(real: HostView, side: Side, user: string): ReturnType<typeof sshdFor> {
  let r = side.sshd.get(user);
  if (!r) side.sshd.set(user, (r = sshdFor(real, user, side.after)));
  return r;
}

/**
 * Why `user` could not log in by key with sshd as on this side and the account (passwd, groups,
 * shadow, keys) as on `accounts`' side, or undefined when they can.
 */
async function cannotLogIn(real: HostView, side: Side, user: string, accounts: Side = side): Promise<string | undefined> {
  const view = accounts.view;
  const account = (await readPasswd(view)).find((u) => u.name === user);
  if (!account) return `user ${user} would not exist`;
  const expire = (await readShadow(view)).find((s) => s.name === user)?.expire;
  if (expire !== undefined && expire <= Date.now() / 86_400_000) return `${user}'s account would be expired (locked)`;
  const { settings, error } = await sshdOn(real, side, user);
  // No sshd: no SSH login to lose. A config sshd rejects (a state that fails first): unknown.
  if (!settings && !error) return undefined;
  if (!settings) throw new UnknownError(`sshd's settings for ${user}`, `a configuration sshd accepts (${error})`, 'is in place');
  const groups = (await readGroups(view)).filter((g) => g.gid === account.gid).map((g) => g.name);
  const why = refusal(settings, user, [...groups, ...memberOf(await readGroups(view), user)]);
  if (why) return `sshd would refuse ${user}: ${why}`;
  if (!(await keyCount(view, settings, account.home, user))) return `${user} would have no authorized key`;
  return undefined;
}

async function keyCount(view: HostView, s: SshdSettings, home: string, user: string): Promise<number> {
  const files = s.authorizedKeysFiles.length ? s.authorizedKeysFiles : ['.ssh/authorized_keys'];
  let n = 0;
  for (const f of files) {
    if (f === 'none') continue;
    const path = f.replace(/%h/g, home).replace(/%u/g, user).replace(/%%/g, '%');
    const text = await view.readFile(path.startsWith('/') ? path : `${home}/${path}`);
    n += parseKeysFile(text ?? '').filter((l) => l.key).length;
  }
  return n;
}

/** Ports sshd listens on that ufw (enabled, incoming not allowed) lets nobody reach. */
async function shutPorts(real: HostView, side: Side, user: string): Promise<{ ports: number[]; shut: number[] }> {
  const { settings } = await sshdOn(real, side, user);
  const ports = settings?.ports ?? [];
  const ufw = await loadUfw(side.view);
  const incoming = ufw.defaults.DEFAULT_INPUT_POLICY ?? 'DROP';
  if (!ufw.installed || !ufw.enabled || incoming === 'ACCEPT') return { ports, shut: [] };
  return { ports, shut: ports.filter((p) => !ufw.tuples.some((t) => lets(t, p))) };
}

export async function checkLockout(real: HostView, after: PredictedHost, o: { user?: string }): Promise<Lockout> {
  const user = o.user || 'root';
  // A run that changes nothing cannot lock anyone out (and a no-op apply stays one plan).
  if (!after.changed) return { notes: [] };
  const before: Side = { view: real, sshd: new Map() };
  const later: Side = { view: after, after, sshd: new Map() };
  try {
    return await check(real, before, later, user);
  } catch (err) {
    if (!(err instanceof UnknownError)) throw err;
    return { notes: [`the lockout check is incomplete: ${err.message}; the firewall is checked again right before ufw is enabled`] };
  }
}

async function check(real: HostView, before: Side, later: Side, user: string): Promise<Lockout> {
  const notes: string[] = [];
  const refuse = (rule: string) => ({ refused: `lockout: ${rule}`, notes });

  const fw0 = await shutPorts(real, before, user);
  const fw1 = await shutPorts(real, later, user);
  const newlyShut = fw1.shut.filter((p) => !fw0.shut.includes(p) || !fw0.ports.includes(p));
  if (newlyShut.length) {
    const list = newlyShut.map((p) => `${p}/tcp`).join(', ');
    return refuse(`sshd would listen on ${list}, which ufw (enabled, incoming denied) would not let in; allow it with a ufw.rule in the same run (the shipped stack: firewall.allow: [${newlyShut.join(', ')}])`);
  }

  const admins0 = await passwordlessSudoers(before.view);
  const admins1 = await passwordlessSudoers(later.view);
  const canNow = async (u: string) => !(await cannotLogIn(real, before, u));
  const whyLater = (u: string) => cannotLogIn(real, later, u);

  const ableAdmins: string[] = [];
  for (const a of admins1) if (a !== user && !(await whyLater(a))) ableAdmins.push(a);

  // First the user brine runs for, then everyone with sudo who can log in now and keeps sudo.
  if (await canNow(user)) {
    const why = await whyLater(user);
    if (why && user === 'root' && /PermitRootLogin/.test(why)) {
      if (!ableAdmins.length) return refuse(`${why}, and nobody with passwordless sudo could log in after this run`);
      notes.push(`this is the last run as root: root login is turned off; provision as a developer next time: -u ${ableAdmins[0]}`);
    } else if (why) return refuse(`${why}, and brine is provisioning as ${user}`);
  }
  if (user !== 'root' && admins0.includes(user) && !admins1.includes(user)) {
    return refuse(`${user} would lose passwordless sudo, and brine is provisioning as ${user}${ableAdmins.length ? `: provision as another developer with sudo (-u ${ableAdmins[0]}) to make this change` : ''}`);
  }
  // Others with sudo who can log in now must not be shut out by sshd's new settings. Their own
  // keys, groups or sudo changing is how access is taken away (devs_absent), not a lockout.
  for (const admin of admins0.filter((a) => a !== user)) {
    if (!(await canNow(admin))) continue;
    const why = await cannotLogIn(real, later, admin, before);
    if (why) return refuse(why);
  }
  return { notes };
}
