// Inventory: pillar/<env>/env.yaml, and -H/-u overriding it like `fab -H … -u root`.
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/core/errors.js';
import { checkEnvName, loadInventory, selectTargets } from '../../src/provision/inventory.js';
import { makeProject } from '../support/project.js';

const ENV_YAML = `environment: staging
domain: staging.example.com
user: deploy
hosts:
  - address: 10.0.0.5
    roles: [web, db]
  - address: 10.0.0.6
    id: worker1
    user: ops
    roles: [worker]
  - 10.0.0.7
`;

const inv = () => loadInventory(makeProject({ 'pillar/staging/env.yaml': ENV_YAML }), 'staging');

describe('loadInventory', () => {
  it('reads hosts, roles, ids and users', () => {
    const i = inv();
    expect(i.found).toBe(true);
    expect(i.user).toBe('deploy');
    expect(i.hosts).toEqual([
      { address: '10.0.0.5', id: '10.0.0.5', roles: ['web', 'db'] },
      { address: '10.0.0.6', id: 'worker1', user: 'ops', roles: ['worker'] },
      { address: '10.0.0.7', id: '10.0.0.7', roles: [] },
    ]);
  });

  it('names the file and the field on bad input', () => {
    const bad = (yaml: string) => () => loadInventory(makeProject({ 'pillar/staging/env.yaml': yaml }), 'staging');
    expect(bad('hosts: 3\n')).toThrow(/pillar\/staging\/env.yaml: hosts must be a list/);
    expect(bad('hosts:\n  - roles: [web]\n')).toThrow(/hosts\[0\].address/);
    expect(bad('hosts:\n  - address: "-oProxyCommand=x"\n')).toThrow(/not a host address/);
    expect(bad('hosts:\n  - address: a\n    roles: web\n')).toThrow(/roles must be a list/);
    expect(bad('environment: production\nhosts: []\n')).toThrow(/environment is 'production'/);
    expect(bad('hosts: [a\n')).toThrow(InventoryError);
  });

  it('reads host_keys: fingerprints, alone or as ssh-keygen -l and cloud consoles print the whole line', () => {
    const fp = 'SHA256:4Km9Cv5E8appYsqFUtHNDt0SXj8rkBLy7lawAoJUVAw';
    const yaml = `hosts:\n  - address: 10.0.0.5\n    host_keys: [${fp}, "256 ${fp.replace('4K', 'xK')}= root@web1 (ED25519)"]\n  - address: 10.0.0.6\n    host_keys: ${fp}\n`;
    const hosts = loadInventory(makeProject({ 'pillar/staging/env.yaml': yaml }), 'staging').hosts;
    expect(hosts.map((h) => h.hostKeys)).toEqual([[fp, fp.replace('4K', 'xK')], [fp]]);
    expect(selectTargets({ ...inv(), hosts }, { hosts: ['root@10.0.0.6'] }).targets[0].hostKeys).toEqual([fp]);
    const bad = (v: string) => () => loadInventory(makeProject({ 'pillar/staging/env.yaml': `hosts:\n  - address: a\n    host_keys: ${v}\n` }), 'staging');
    expect(bad('[MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48]')).toThrow(/hosts\[0\].host_keys\[0\]: not a SHA256 host key fingerprint/);
    expect(bad('[SHA256:short]')).toThrow(/host_keys\[0\]/);
    expect(bad('[]')).toThrow(/hosts\[0\].host_keys must be a list of SHA256 fingerprints/);
  });

  it('refuses environment names that could escape pillar/', () => {
    for (const e of ['../etc', 'base', '', 'a/b', '-x']) expect(() => checkEnvName(e)).toThrow(/not an environment name/);
  });
});

describe('selectTargets', () => {
  it('takes every inventory host with its user (host user, then the file default)', () => {
    const { targets } = selectTargets(inv(), {});
    expect(targets.map((t) => [t.address, t.user])).toEqual([
      ['10.0.0.5', 'deploy'],
      ['10.0.0.6', 'ops'],
      ['10.0.0.7', 'deploy'],
    ]);
  });

  it('-u overrides every user; -H picks hosts by address or id and keeps their roles', () => {
    const { targets, warnings } = selectTargets(inv(), { hosts: ['worker1', '10.0.0.5'], user: 'root' });
    expect(targets).toEqual([
      { address: '10.0.0.6', id: 'worker1', user: 'root', roles: ['worker'] },
      { address: '10.0.0.5', id: '10.0.0.5', user: 'root', roles: ['web', 'db'] },
    ]);
    expect(warnings).toEqual([]);
  });

  it('-H accepts user@host, and hosts outside the inventory with a warning and no roles', () => {
    const { targets, warnings } = selectTargets(inv(), { hosts: ['alice@192.0.2.9'] });
    expect(targets).toEqual([{ address: '192.0.2.9', id: '192.0.2.9', user: 'alice', roles: [] }]);
    expect(warnings[0]).toMatch(/192.0.2.9 is not in pillar\/staging\/env.yaml/);
  });

  it('without env.yaml needs -H, and refuses a host twice', () => {
    const none = loadInventory(makeProject({ 'states/top.yaml': '{}' }), 'staging');
    expect(() => selectTargets(none, {})).toThrow(/no pillar\/staging\/env.yaml/);
    expect(selectTargets(none, { hosts: ['h1'] }).targets[0]).toEqual({ address: 'h1', id: 'h1', roles: [] });
    expect(() => selectTargets(none, { hosts: ['h1', 'root@h1'] })).toThrow(/listed twice/);
  });
});
