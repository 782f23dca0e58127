// Who has passwordless sudo for everything, from /etc/sudoers and /etc/sudoers.d as sudo reads
// them (files in the directory whose names have no '.' and do not end in '~'). Only the plain
// form brine and most setups write counts: `NAME ALL=(ALL[:ALL]) NOPASSWD: ALL`, NAME a user or %group.
import type { HostView } from '../host/types.js';
import { readGroups, readPasswd } from '../resources/accounts/passwd.js';

const RULE = /^\s*(%?[A-Za-z0-9_.-]+)\s+ALL\s*=\s*(?:\(\s*ALL\s*(?::\s*ALL\s*)?\)\s*)?NOPASSWD\s*:\s*ALL\s*$/;

export async function passwordlessSudoers(view: HostView): Promise<string[]> {
  const texts = [(await view.readFile('/etc/sudoers')) ?? ''];
  const names = ((await view.readdir('/etc/sudoers.d')) ?? []).filter((n) => !n.includes('.') && !n.endsWith('~'));
  for (const n of names) texts.push((await view.readFile(`/etc/sudoers.d/${n}`)) ?? '');
  const who = texts.flatMap((t) => t.split('\n')).flatMap((l) => RULE.exec(l)?.[1] ?? []);
  const users = await readPasswd(view);
  const groups = await readGroups(view);
  const out = new Set<string>();
  for (const w of who) {
    if (!w.startsWith('%')) {
      if (users.some((u) => u.name === w)) out.add(w);
      continue;
    }
    const g = groups.find((x) => x.name === w.slice(1));
    if (!g) continue;
    g.members.forEach((m) => out.add(m));
    users.filter((u) => u.gid === g.gid).forEach((u) => out.add(u.name));
  }
  return [...out].sort();
}
