// A state tree written in the styles Salt's documentation shows (test/salt/tree): it compiles,
// expands as Salt does, and runs in an order that keeps every requisite and Salt's `order`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../support/project.js';

const TREE = join(__dirname, 'tree');
const c = compileProject(TREE);
const line = (d: (typeof c.graph.order)[number]) => `${d.kind}.${d.fn} ${d.id} ${d.name}`;

describe('a Salt-style state tree', () => {
  it('runs by `order`, then definition order (included files before the file including them), each state once its requisites have run', () => {
    expect(c.graph.order.map(line)).toEqual([
      'file.managed app-motd /etc/motd', // order: first (app.common)
      'pkg.installed editors nano', // order: 1, names expanded in place
      'pkg.installed editors vim-tiny',
      'pkg.installed vim vim', // webserver.config comes first, but its state waits for pkg nginx
      'pkg.installed nginx nginx',
      'file.managed /etc/nginx/nginx.conf /etc/nginx/nginx.conf',
      'file.directory /var/www/html /var/www/html', // require_in: before the service
      'service.running nginx nginx',
      'group.present admins admins',
      'user.present developers alice',
      'user.present developers bob',
      'user.present developers carol',
      'file.directory /srv/app /srv/app', // app.deploy.settings (included) waits for it
      'file.managed /srv/app/settings.py /srv/app/settings.py',
      'cmd.run migrate ./manage.py migrate --noinput && ./manage.py collectstatic --noinput',
      'cmd.wait reload-app systemctl reload app',
      'cmd.run cleanup rm -rf /srv/app/tmp/*', // order: last
    ]);
    expect(c.sls).toEqual(['webserver', 'users', 'app.deploy', 'webserver.config', 'app.deploy.settings', 'app.common']);
  });

  it('reads both short forms', () => {
    const vim = c.graph.order.find((d) => d.id === 'vim')!;
    expect(vim).toMatchObject({ kind: 'pkg', fn: 'installed', args: {} });
    expect(c.specs.get('nginx|pkg')).toMatchObject({ packages: [{ name: 'nginx', version: '1.22.1-9' }] });
    expect(c.specs.get('nginx|service')).toMatchObject({ enable: true });
  });

  it('expands names into one state each, with the shared arguments and per-name ones', () => {
    expect(c.specs.get('developers|user|alice')).toMatchObject({ name: 'alice', shell: '/bin/bash', groups: ['admins'] });
    expect(c.specs.get('developers|user|carol')).toMatchObject({ name: 'carol', shell: '/bin/zsh', groups: ['admins'] });
    // The shared requisite holds for each.
    for (const n of ['alice', 'bob', 'carol']) expect(c.graph.incoming.get(`developers|user|${n}`)).toEqual([{ from: 'admins|group', to: `developers|user|${n}`, type: 'require' }]);
  });

  it('reads unless, onlyif and creates on any state, as shell commands', () => {
    const of = (id: string) => c.graph.order.find((d) => d.id === id)!.conditions;
    expect(of('/srv/app')).toMatchObject([{ type: 'unless', commands: [['/bin/sh', '-c', 'test -L /srv/app']] }]);
    expect(of('migrate')).toMatchObject([{ type: 'onlyif', commands: [['/bin/sh', '-c', 'test -f /srv/app/manage.py']], runas: 'www-data', cwd: '/srv/app' }]);
    expect(of('cleanup')).toMatchObject([{ type: 'creates', commands: [['/srv/app/.clean']] }]);
    // A command string with shell syntax runs through /bin/sh, as in Salt; never split into words.
    expect(c.specs.get('migrate|cmd')).toMatchObject({ argv: ['/bin/sh', '-c', './manage.py migrate --noinput && ./manage.py collectstatic --noinput'], runas: 'www-data' });
  });

  it('applies extend (a listen added to a state of another file) and keeps listen out of the order', () => {
    expect(c.graph.listen).toEqual([{ from: '/srv/app/settings.py|file', to: 'nginx|service', type: 'listen' }]);
    expect(c.graph.incoming.get('nginx|service')!.map((e) => e.from)).toEqual(['nginx|pkg', '/etc/nginx/nginx.conf|file', '/var/www/html|file']);
    expect(c.graph.incoming.get('migrate|cmd')).toEqual([{ from: '/srv/app/settings.py|file', to: 'migrate|cmd', type: 'onchanges' }]);
  });
});
