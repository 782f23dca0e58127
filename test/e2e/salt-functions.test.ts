// The functions brought over from Salt, on one real Debian host: --test lists exactly what
// would change and changes nothing, apply converges, a second apply changes nothing.
import { existsSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/apply/report-types.js';
import { BUNDLE } from '../cli/support.js';
import { defineFlavour, diffFingerprints, formatDiff, isEmptyDiff } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { apply, deploy } from './project-support.js';

// `full` plus what these functions act on: cron, locales, a package to purge (nano).
const flavour = defineFlavour({ name: 'salt', base: 'full', include: ['cron', 'locales', 'nano', 'tzdata'] });

const KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZbrineE2EWCSsGAQQB2kcPAQEHQKeyForTestsOnlyNotARealKey0000000000\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----\n';

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

/etc/brine-e2e.conf:
  file.managed:
    - contents: |
        listen = 127.0.0.1
        workers = 2
    - replace: False

debug-off:
  file.append:
    - name: /etc/brine-e2e.conf
    - text: debug = false
    - require:
      - file: /etc/brine-e2e.conf

workers:
  file.replace:
    - name: /etc/brine-e2e.conf
    - pattern: '^workers = \d+$'
    - repl: workers = 4
    - require:
      - file: /etc/brine-e2e.conf

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
      - file: /etc/brine-e2e.conf

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
};

const summaries = (r: Report) => r.states.map((s) => [`${s.id} ${s.function}`, s.result, ...s.changes.map((c) => c.summary)]);

describeHosts('Salt functions on a real host', () => {
  const env = useHosts(1, { flavour });

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
    const [h] = env.hosts;
    await deploy(h, TREE);
    // What is there before: an old cron job, a stale file and a kept temporary file in the site.
    await h.sshOk(['crontab', '-u', 'root', '-'], { input: '17 * * * * /usr/bin/old-thing\n' });
    await h.sshOk(['mkdir', '-p', '/srv/site']);
    await h.sshOk(['sh', '-c', 'echo old > /srv/site/stale.txt && echo keep > /srv/site/keep.tmp']);
  }, 600_000);

  it('--test lists exactly what would change, exits 2, and leaves the host as it was', async () => {
    const [h] = env.hosts;
    const before = await h.fingerprint();
    const { code, report } = await apply(h, '--test');
    expect(summaries(report)).toEqual([]);
    expect(code).toBe(2);
    const d = diffFingerprints(before, await h.fingerprint());
    expect(isEmptyDiff(d), formatDiff(d)).toBe(true);
  });
});
