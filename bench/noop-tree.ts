// The benchmark's state tree: every resource kind brine has, in the shape of a small web host
// (the full test-host flavour has nginx-light, ufw and curl installed).

/** State file text per kind; a kind's section is used only when the registry has that kind. */
const SECTIONS: Record<string, string> = {
  file: `
site:
  file.managed:
    - name: /etc/nginx/conf.d/bench.conf
    - contents: "server_tokens off;"
app-dir:
  file.directory:
    - name: /srv/app
    - mode: 750
app-link:
  file.symlink:
    - name: /srv/current
    - target: /srv/app
stale:
  file.absent:
    - name: /etc/nginx/sites-enabled/old
`,
  cmd: `
marker:
  cmd.run:
    - name: touch /srv/app/.marker
    - creates: /srv/app/.marker
`,
  pkg: `
packages:
  pkg.installed:
    - pkgs: [nginx-light, ufw, curl, rsync]
    - refresh: false
newest:
  pkg.latest:
    - name: openssl
    - refresh: false
no-telnet:
  pkg.removed:
    - name: telnet
`,
  service: `
nginx:
  service.running:
    - enable: true
    - reload: true
    - watch:
      - file: site
nginx-at-boot:
  service.enabled:
    - name: nginx
sshd:
  service.running:
    - name: ssh
no-apache:
  service.dead:
    - name: apache2
daily-upgrade:
  service.disabled:
    - name: apt-daily-upgrade.timer
`,
  group: `
deploy-group:
  group.present:
    - name: deploy
`,
  user: `
deploy:
  user.present:
    - shell: /bin/bash
    - groups: [deploy]
`,
  ssh_auth: `
deploy-key:
  ssh_auth.present:
    - user: deploy
    - name: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMRM9QRShyJK7aNrWaZzGNfLNynV/wVIm8D8gsIp7CMS bench@brine
`,
  sysctl: `
somaxconn:
  sysctl.present:
    - name: net.core.somaxconn
    - value: 1024
`,
  ufw: `
defaults:
  ufw.default:
    - incoming: deny
    - outgoing: allow
allow-ssh:
  ufw.rule:
    # not limit: the benchmark opens many SSH connections a second
    - proto: tcp
    - port: 22
allow-web:
  ufw.rule:
    - proto: tcp
    - port: 80,443
    - comment: web
firewall:
  ufw.enabled:
    - require:
      - ufw: allow-ssh
`,
};

export function benchTree(kinds: string[]): { files: Record<string, string>; used: string[]; spawnNote: string } {
  const used = Object.keys(SECTIONS).filter((k) => kinds.includes(k));
  const missing = kinds.filter((k) => !SECTIONS[k]);
  if (missing.length) throw new Error(`bench/noop-tree.ts has no states for kind(s) ${missing.join(', ')}: add a section`);
  return {
    files: {
      'states/top.yaml': "base:\n  '*': [bench]\n",
      'states/bench.yaml': used.map((k) => SECTIONS[k]).join(''),
    },
    used,
    spawnNote: 'expected: one `apt-cache policy` for pkg.latest and one `systemctl show` for every unit; dpkg, ufw and the rest are read from files',
  };
}
