// The functions brought over from Salt, on one real Debian host: --test lists exactly what
// would change and changes nothing, apply converges, a second apply changes nothing.
import { beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/apply/report-types.js';
import { defineFlavour } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { apply, deploy, dryRun, summaries } from './project-support.js';

// `full` plus what these functions act on: cron, locales, a package to purge (nano).
const flavour = defineFlavour({ name: 'salt', base: 'full', include: ['cron', 'locales', 'nano', 'tzdata'] });

const KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZbrineE2EWCSsGAQQB2kcPAQEHQKeyForTestsOnlyNotARealKey0000000000\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----\n';

// Shell syntax in a pillar value: {{sh}} makes it one word, whatever it holds.
const MOTTO = "it's $HOME; `id` & done # not a comment: [x]";

const STATES = String.raw`
nano:
  pkg.purged

example-repo:
  pkgrepo.managed:
    - name: deb [arch=amd64] https://repo.example.test/debian bookworm main
    - humanname: Example repository
    - file: /etc/apt/sources.list.d/example.sources
    - key_url: salt://keys/example.asc
    # test hosts have no internet: no apt-get update here (unit tests cover refresh)
    - refresh: False

e2e-conf:
  file.managed:
    - name: /etc/brine-e2e.conf
    - contents: |
        listen = 127.0.0.1
        workers = 2
    - replace: False

debug-off:
  file.append:
    - name: /etc/brine-e2e.conf
    - text: debug = false
    - require:
      - file: e2e-conf

workers:
  file.replace:
    - name: /etc/brine-e2e.conf
    - pattern: '^workers = \d+$'
    - repl: workers = 4
    - require:
      - file: e2e-conf

upstreams:
  file.blockreplace:
    - name: /etc/brine-e2e.conf
    - marker_start: '# BEGIN upstreams'
    - marker_end: '# END upstreams'
    - content: |
        upstream = a
        upstream = b
    - append_if_not_found: True
    - require:
      - file: e2e-conf

port-line:
  file.line:
    - name: /etc/brine-e2e.conf
    - mode: ensure
    - after: '^listen'
    - content: port = 8080
    - require:
      - file: e2e-conf

backup:
  cron.present:
    - name: /usr/local/bin/backup --quiet
    - minute: 30
    - hour: 2
    - identifier: nightly-backup

/usr/bin/old-thing:
  cron.absent: []

db.internal:
  host.present:
    - ip: 10.0.0.5

Europe/Amsterdam:
  timezone.system

de_DE.UTF-8:
  locale.present

locales:
  debconf.set:
    - data:
        'locales/default_environment_locale': {type: select, value: de_DE.UTF-8}

localhost:
  ssh_known_hosts.present:
    - user: root
    - enc: ssh-ed25519

/srv/site:
  file.recurse:
    - source: salt://site
    - exclude_pat: '*.tmp'
    - clean: True
    - file_mode: 640
    - dir_mode: 750

reload-site:
  cmd.wait:
    - name: echo reloaded >> /root/reloads
    - watch:
      - file: /srv/site

marker:
  cmd.run:
    - name: echo made > /root/marker && chmod 600 /root/marker
    - unless: test -f /root/marker && grep -q made /root/marker

motto:
  cmd.run:
    - name: printf '%s\n' {{sh pillar.motto}} > /root/motto
    - creates: /root/motto

stamp:
  cmd.script:
    - source: salt://bin/stamp.sh
    - args: one "two words"
    - creates: /root/stamp

announce:
  cmd.wait:
    - name: echo heard >> /root/heard
    - listen:
      - host: db.internal
`;

const TREE = {
  'states/top.yaml': "base:\n  '*': [system]\n",
  'states/system.yaml': STATES,
  'states/keys/example.asc': KEY,
  'states/site/index.html': '<h1>hello</h1>\n',
  'states/site/css/main.css': 'body { margin: 0 }\n',
  'states/site/draft.tmp': 'not copied\n',
  'states/bin/stamp.sh': '#!/bin/bash\nprintf "%s|" "$@" > /root/stamp\n',
  'pillar/top.yaml': "base:\n  '*': [app]\n",
  'pillar/app.yaml': `motto: ${JSON.stringify(MOTTO)}\n`,
};


describeHosts('Salt functions on a real host', () => {
  const env = useHosts(1, { flavour });

  beforeAll(async () => {
    const [h] = env.hosts;
    await deploy(h, TREE);
    // What is there before: an old cron job, a stale file and a kept temporary file in the site.
    await h.sshOk(['crontab', '-u', 'root', '-'], { input: '17 * * * * /usr/bin/old-thing\n' });
    await h.sshOk(['mkdir', '-p', '/srv/site']);
    await h.sshOk(['sh', '-c', 'echo old > /srv/site/stale.txt && echo keep > /srv/site/keep.tmp']);
  }, 600_000);

  it('--test lists exactly what would change, exits 2, and leaves the host as it was', async () => {
    const [h] = env.hosts;
    const { code, report } = await dryRun(h);
    expect(summaries(report)).toEqual([
      ['nano pkg.purged', 'pending', expect.stringMatching(/^purge nano 7\.2-1\S*$/)],
      ['example-repo pkgrepo.managed', 'pending', 'create signing key /etc/apt/keyrings/example.asc', 'create repository /etc/apt/sources.list.d/example.sources'],
      ['e2e-conf file.managed', 'pending', 'create file (31 bytes, mode 0644)'],
      ['debug-off file.append', 'pending', 'append 1 line(s) to /etc/brine-e2e.conf'],
      // The file they edit is not there yet: planned against the file e2e-conf will write.
      ['workers file.replace', 'pending', 'replace in /etc/brine-e2e.conf'],
      ['upstreams file.blockreplace', 'pending', 'replace the block between markers in /etc/brine-e2e.conf'],
      ['port-line file.line', 'pending', 'ensure a line in /etc/brine-e2e.conf'],
      ['backup cron.present', 'pending', 'add cron job for root: 30 2 * * * /usr/local/bin/backup --quiet'],
      ['/usr/bin/old-thing cron.absent', 'pending', 'remove cron job for root: /usr/bin/old-thing'],
      ['db.internal host.present', 'pending', 'add db.internal on 10.0.0.5 in /etc/hosts'],
      ['Europe/Amsterdam timezone.system', 'pending', 'time zone Etc/UTC → Europe/Amsterdam (/etc/localtime)', '/etc/timezone: Etc/UTC → Europe/Amsterdam'],
      ['de_DE.UTF-8 locale.present', 'pending', 'enable de_DE.UTF-8 UTF-8 in /etc/locale.gen', 'generate de_DE.UTF-8'],
      ['locales debconf.set', 'pending', 'locales/default_environment_locale: "" → "de_DE.UTF-8"'],
      ['localhost ssh_known_hosts.present', 'pending', 'add ssh-ed25519 key of localhost in /root/.ssh/known_hosts'],
      ['/srv/site file.recurse', 'pending', 'create directory /srv/site/css (mode 0750)', 'create /srv/site/css/main.css', 'create /srv/site/index.html', 'remove /srv/site/stale.txt (clean: not in the source)'],
      ['reload-site cmd.wait', 'pending', 'run echo reloaded >> /root/reloads'],
      ['marker cmd.run', 'pending', 'run echo made > /root/marker && chmod 600 /root/marker'],
      ['motto cmd.run', 'pending', `run printf '%s\\n' 'it'\\''s $HOME; \`id\` & done '\\#' not a comment'\\:' '\\['x'\\]'' > /root/motto`],
      ['stamp cmd.script', 'pending', 'run salt://bin/stamp.sh one "two words"'],
      ['announce cmd.wait', 'ok'],
      ['announce cmd.mod_watch', 'pending', 'run echo heard >> /root/heard'],
    ]);
    expect(report.states.find((s) => s.id === 'workers')!.comment).toMatch(/^depends on e2e-conf \(pending\)/);
    expect(code).toBe(2);
  });

  it('apply makes each true on the host', async () => {
    const [h] = env.hosts;
    const { code, report } = await apply(h);
    expect(code, JSON.stringify(report.states.filter((s) => s.result !== 'changed'), null, 2)).toBe(0);
    expect(report.states.filter((s) => s.result !== 'changed').map((s) => `${s.id} ${s.function} ${s.result}`)).toEqual(['announce cmd.wait ok']);
    const sh = (script: string) => h.sshOk(['sh', '-c', script]);
    expect(await sh("dpkg-query -W -f '${db:Status-Status}' nano 2>&1 || true")).toMatch(/not-installed|no packages found/);
    expect(await sh('test ! -e /etc/nanorc && echo gone')).toBe('gone\n');
    expect(await sh('cat /etc/apt/sources.list.d/example.sources')).toBe(
      '# Example repository\nTypes: deb\nURIs: https://repo.example.test/debian\nSuites: bookworm\nComponents: main\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/example.asc\n',
    );
    expect(await sh('cat /etc/apt/keyrings/example.asc')).toBe(KEY);
    expect(await sh('cat /etc/brine-e2e.conf')).toBe('listen = 127.0.0.1\nport = 8080\nworkers = 4\ndebug = false\n# BEGIN upstreams\nupstream = a\nupstream = b\n# END upstreams\n');
    expect(await sh('crontab -l -u root')).toBe('# Lines below here are managed by Salt, do not edit\n# SALT_CRON_IDENTIFIER:nightly-backup\n30 2 * * * /usr/local/bin/backup --quiet\n');
    expect(await sh('grep db.internal /etc/hosts')).toBe('10.0.0.5\tdb.internal\n');
    expect(await sh('readlink /etc/localtime; cat /etc/timezone; env -u TZ date +%Z -d 2026-01-01')).toBe('/usr/share/zoneinfo/Europe/Amsterdam\nEurope/Amsterdam\nCET\n');
    expect(await sh('locale -a')).toMatch(/^de_DE\.utf8$/m);
    expect(await sh('echo get locales/default_environment_locale | debconf-communicate')).toBe('0 de_DE.UTF-8\n');
    // Hashed, and what ssh itself accepts for localhost.
    expect(await sh('cut -c1-3 /root/.ssh/known_hosts; ssh-keygen -F localhost -f /root/.ssh/known_hosts >/dev/null && echo found')).toBe('|1|\nfound\n');
    expect(await sh('cd /srv/site && find . | sort && stat -c %a index.html css css/main.css')).toBe('.\n./css\n./css/main.css\n./index.html\n./keep.tmp\n640\n750\n640\n');
    expect(await sh('cat /root/reloads /root/heard /root/marker')).toBe('reloaded\nheard\nmade\n');
    expect(await sh('cat /root/motto')).toBe(`${MOTTO}\n`);
    expect(await sh('cat /root/stamp')).toBe('one|two words|');
  });

  it('a second apply changes nothing, and --test then says so', async () => {
    const [h] = env.hosts;
    const again = await apply(h);
    expect(again.code).toBe(0);
    expect(again.report.states.filter((s) => s.result !== 'ok').map((s) => `${s.id} ${s.function} ${s.result} ${s.changes.map((c) => c.summary)}`)).toEqual([]);
    expect(again.report.states.find((s) => s.id === 'marker')!.comment).toBe('unless condition is true (test -f /root/marker && grep -q made /root/marker)');
    const test = await dryRun(h);
    expect(test.code).toBe(0);
    expect(await h.sshOk(['sh', '-c', 'cat /root/reloads /root/heard'])).toBe('reloaded\nheard\n');
  });
});
