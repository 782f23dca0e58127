// git.latest, virtualenv.managed, pip.installed and the arguments most missed from Salt
// (file.directory recurse, gid_from_name, source_hash, contents_pillar) on one real Debian host:
// --test lists exactly what apply then does, apply converges, a second apply changes nothing.
// No internet: the repository is made on the host (file://), the wheels by hand.
import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/apply/report-types.js';
import { defineFlavour } from '../harness/index.js';
import { describeHosts, useHosts } from '../harness/vitest.js';
import { apply, deploy, dryRun, summaries } from './project-support.js';

// `full` (python3-venv included) plus git.
const flavour = defineFlavour({ name: 'salt-rest', base: 'full', include: ['git'] });

const CONF = 'listen = 127.0.0.1\n';
const KEY = 'PRIVATE-KEY-e2e-s3cr3t-value\n';

const STATES = String.raw`
svc:
  user.present:
    - gid_from_name: True

/srv/data:
  file.directory:
    - user: svc
    - group: svc
    - dir_mode: 750
    - file_mode: 640
    - recurse: [user, group, mode]
    - require:
      - user: svc

/etc/app.conf:
  file.managed:
    - source: salt://conf/app.conf
    - source_hash: sha256=${createHash('sha256').update(CONF).digest('hex')}

/etc/app.key:
  file.managed:
    - contents_pillar: tls:key
    - mode: 600

file:///srv/upstream:
  git.latest:
    - target: /srv/checkout
    - rev: main

tagged:
  git.latest:
    - name: file:///srv/upstream
    - target: /home/builder/app
    - rev: v1
    - depth: 1
    - force_reset: True
    - user: builder

/srv/venv:
  virtualenv.managed:
    - requirements: salt://python/requirements.txt
    - no_index: True
    - find_links: /srv/wheels

otherpkg:
  pip.installed:
    - bin_env: /srv/venv
    - no_index: True
    - find_links: /srv/wheels
    - require:
      - virtualenv: /srv/venv
`;

const TREE = {
  'states/top.yaml': "base:\n  '*': [rest]\n",
  'states/rest.yaml': STATES,
  'states/conf/app.conf': CONF,
  'states/python/requirements.txt': '# pinned\ntinypkg==1.0\n',
  'pillar/top.yaml': "base:\n  '*': [secrets]\n",
  'pillar/secrets.yaml': `tls:\n  key: ${JSON.stringify(KEY)}\n`,
};

// Pure-python wheels made by hand: no PyPI here.
const WHEELS = String.raw`
import base64, hashlib, os, zipfile
os.makedirs('/srv/wheels', exist_ok=True)
def digest(d): return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()
def wheel(name, ver):
    files = {f'{name}/__init__.py': f'VERSION = "{ver}"\n'.encode(),
             f'{name}-{ver}.dist-info/METADATA': f'Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n'.encode(),
             f'{name}-{ver}.dist-info/WHEEL': b'Wheel-Version: 1.0\nGenerator: e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n'}
    record = f'{name}-{ver}.dist-info/RECORD'
    with zipfile.ZipFile(f'/srv/wheels/{name}-{ver}-py3-none-any.whl', 'w') as z:
        for n, d in files.items(): z.writestr(n, d)
        z.writestr(record, ''.join(f'{n},{digest(d)},{len(d)}\n' for n, d in files.items()) + f'{record},,\n')
wheel('tinypkg', '1.0')
wheel('otherpkg', '0.1')
`;

const changed = (r: Report) => r.states.filter((s) => s.changes.length).map((s) => [`${s.id} ${s.function}`, ...s.changes.map((c) => c.summary)]);

describeHosts('Salt functions, the rest: git, virtualenv, pip, and the arguments most missed', () => {
  const env = useHosts(1, { flavour });
  let a = '';
  let b = '';
  let predicted: Report | undefined;

  beforeAll(async () => {
    const [h] = env.hosts;
    await deploy(h, TREE);
    const sh = (script: string) => h.sshOk(['sh', '-ec', script]);
    // The upstream repository (commit A, tagged v1), a user who clones, svc's own group, data to recurse over.
    await sh(
      'git init -q -b main /srv/upstream && cd /srv/upstream && echo one > README && git add README && ' +
        'git -c user.name=e2e -c user.email=e2e@test commit -qm one && git tag v1 && ' +
        // builder clones root's repository: git refuses another owner's repository unless marked safe.
        'git config --system --add safe.directory /srv/upstream/.git',
    );
    a = (await sh('git -C /srv/upstream rev-parse HEAD')).trim();
    await sh('useradd -m builder && groupadd svc && mkdir -p /srv/data/sub && echo x > /srv/data/a.txt && echo y > /srv/data/sub/b.txt');
    await h.sshOk(['python3', '-c', WHEELS]);
  }, 600_000);

  it('--test lists exactly what would change, exits 2, and leaves the host as it was', async () => {
    const [h] = env.hosts;
    const { code, report } = await dryRun(h);
    predicted = report;
    expect(summaries(report)).toEqual([
      ['svc user.present', 'pending', 'create user svc (group svc, home /home/svc)'],
      ['/srv/data file.directory', 'pending', 'owner root:root → svc:svc', 'mode 0755 → 0750', 'recurse: owner → svc:svc on 3 paths below /srv/data', 'recurse: mode → 0750 on 1 directory below /srv/data', 'recurse: mode → 0640 on 2 files below /srv/data'],
      ['/etc/app.conf file.managed', 'pending', 'create file (19 bytes, mode 0644)'],
      ['/etc/app.key file.managed', 'pending', 'create file (29 bytes, mode 0600)'],
      ['file:///srv/upstream git.latest', 'pending', `clone file:///srv/upstream (main, ${a.slice(0, 7)}) into /srv/checkout`],
      ['tagged git.latest', 'pending', `clone file:///srv/upstream (tag v1, ${a.slice(0, 7)}) into /home/builder/app`],
      ['/srv/venv virtualenv.managed', 'pending', 'create virtualenv /srv/venv', 'pip install -r salt://python/requirements.txt into /srv/venv'],
      ['otherpkg pip.installed', 'pending', 'pip install otherpkg into /srv/venv'],
    ]);
    // The secret pillar's content shows nowhere, not even masked.
    const key = report.states.find((s) => s.id === '/etc/app.key')!.changes[0];
    expect(key.diff).toBe('File /etc/app.key: content hidden (from secret pillar key tls:key)\n');
    expect(key.detail).toBeUndefined();
    expect(code).toBe(2);
  });

  it('apply does what --test said and makes each true', async () => {
    const [h] = env.hosts;
    const { code, report } = await apply(h);
    expect(code, JSON.stringify(report.states.filter((s) => s.result !== 'changed'), null, 2)).toBe(0);
    // Change for change what --test predicted.
    expect(changed(report)).toEqual(changed(predicted!));
    expect(report.states.every((s) => s.result === 'changed')).toBe(true);
    expect(report.states.find((s) => s.id === 'otherpkg')!.changes[0].detail).toMatchObject({ install: ['otherpkg 0.1'] });
    const sh = (script: string) => h.sshOk(['sh', '-ec', script]);
    expect(await sh('id -gn svc; stat -c "%U:%G %a %n" /srv/data /srv/data/sub /srv/data/a.txt /srv/data/sub/b.txt')).toBe(
      'svc\nsvc:svc 750 /srv/data\nsvc:svc 750 /srv/data/sub\nsvc:svc 640 /srv/data/a.txt\nsvc:svc 640 /srv/data/sub/b.txt\n',
    );
    expect(await sh('cat /etc/app.conf /etc/app.key; stat -c %a /etc/app.key')).toBe(`${CONF}${KEY}600\n`);
    expect(await sh('git -C /srv/checkout rev-parse HEAD; git -C /srv/checkout rev-parse --abbrev-ref HEAD')).toBe(`${a}\nmain\n`);
    expect(await sh('stat -c %U /home/builder/app/README; git -C /home/builder/app -c safe.directory=* rev-parse HEAD; cat /home/builder/app/.git/shallow')).toBe(`builder\n${a}\n${a}\n`);
    expect(await sh('/srv/venv/bin/python -c "import tinypkg, otherpkg; print(tinypkg.VERSION)"')).toBe('1.0\n');
  });

  it('a second apply changes nothing, and --test then says so', async () => {
    const [h] = env.hosts;
    const again = await apply(h);
    expect(again.code).toBe(0);
    expect(changed(again.report)).toEqual([]);
    const test = await apply(h, '--test');
    expect(test.code).toBe(0);
  });

  it('a new upstream commit: --test says A → B without fetching, apply fast-forwards, then nothing is left', async () => {
    const [h] = env.hosts;
    const sh = (script: string) => h.sshOk(['sh', '-ec', script]);
    await sh('cd /srv/upstream && echo two >> README && git -c user.name=e2e -c user.email=e2e@test commit -qam two');
    b = (await sh('git -C /srv/upstream rev-parse HEAD')).trim();
    const refs = () => sh('git -C /srv/checkout for-each-ref --format="%(objectname) %(refname)"; git -C /srv/checkout count-objects');
    const before = await refs();
    const test = await apply(h, '--test');
    expect(test.code).toBe(2);
    expect(changed(test.report)).toEqual([['file:///srv/upstream git.latest', `update /srv/checkout: ${a.slice(0, 7)} → ${b.slice(0, 7)} (main) (fetch, fast-forward only)`]]);
    expect(await refs()).toBe(before);
    const run = await apply(h);
    expect(run.code).toBe(0);
    expect(changed(run.report)).toEqual(changed(test.report));
    expect(await sh('git -C /srv/checkout rev-parse HEAD; cat /srv/checkout/README')).toBe(`${b}\none\ntwo\n`);
    expect(changed((await apply(h)).report)).toEqual([]);
  });
});
