// What each host gets of the pillar: what its env's top selects for it, never another env's files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { loadPillar } from '../../src/compile/pillar.js';
import { controllerFacts, pillarForHost, stagePillar } from '../../src/provision/pillar-select.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/temp.js';

const PROD_SECRET = 'prod-db-pass-5f1e';
const STAGING_SECRET = 'staging-db-pass-77c2';

const files = {
  'states/top.yaml': "base:\n  '*': [app]\n",
  'pillar/top.yaml': `base:
  '*': [common]
staging:
  '*': [staging.app]
  'roles:db': [staging.secrets]
production:
  '*': [production.app, production.secrets]
`,
  'pillar/common.yaml': 'name: shop\n',
  'pillar/staging/env.yaml': 'hosts: [{address: 10.0.0.5, roles: [db]}]\n',
  'pillar/staging/app.yaml': 'workers: 2\n',
  'pillar/staging/secrets.yaml': `db_pass: ${STAGING_SECRET}\n`,
  'pillar/production/env.yaml': 'hosts: [{address: 10.1.0.5, roles: [db]}]\n',
  'pillar/production/app.yaml': 'workers: 8\n',
  'pillar/production/secrets.yaml': `db_pass: ${PROD_SECRET}\n`,
};

const web = { address: '10.0.0.4', id: 'web1', roles: ['web'] };
const db = { address: '10.0.0.5', id: 'db1', roles: ['db'] };

describe('pillarForHost', () => {
  it("selects per host and role within the env, and nothing of another env's", () => {
    const dir = makeProject(files);
    expect(pillarForHost(dir, 'staging', web).files).toEqual(['pillar/common.yaml', 'pillar/staging/app.yaml']);
    const p = pillarForHost(dir, 'staging', db);
    expect(p.files).toEqual(['pillar/common.yaml', 'pillar/staging/app.yaml', 'pillar/staging/secrets.yaml']);
    expect(p.names).toEqual(['common', 'staging.app', 'staging.secrets']);
    expect(p.secrets.mask(STAGING_SECRET)).toBe('********');
    expect(p.secrets.within(PROD_SECRET)).toBe(false);
    expect(pillarForHost(dir, 'production', db).files).toEqual(['pillar/common.yaml', 'pillar/production/app.yaml', 'pillar/production/secrets.yaml']);
  });

  it("refuses when an env's top names another env's file", () => {
    const dir = makeProject({ ...files, 'pillar/top.yaml': "staging:\n  '*': [production.secrets]\nproduction:\n  '*': []\n" });
    expect(() => pillarForHost(dir, 'staging', web)).toThrow(/belongs to environment 'production': not uploading it/);
    const dir2 = makeProject({ ...files, 'pillar/production.yaml': 'x: 1\n', 'pillar/top.yaml': "staging:\n  '*': [production]\n" });
    expect(() => pillarForHost(dir2, 'staging', web)).toThrow(/belongs to environment 'production'/);
  });

  it('fails on pillar problems before anything is uploaded, secrets masked', () => {
    const dir = makeProject({ ...files, 'pillar/top.yaml': "staging:\n  '*': [nope]\n" });
    expect(() => pillarForHost(dir, 'staging', web)).toThrow(/pillar 'nope' not found/);
  });
});

describe('stagePillar', () => {
  it('writes only the selected files and a top that makes the agent load exactly them', () => {
    const dir = makeProject(files);
    const p = pillarForHost(dir, 'staging', db);
    const staging = tempDir('brine-stage-');
    stagePillar(dir, p, staging);
    const staged = fg.sync('**', { cwd: staging }).sort();
    expect(staged).toEqual(['pillar/common.yaml', 'pillar/staging/app.yaml', 'pillar/staging/secrets.yaml', 'pillar/top.yaml']);
    expect(staged.map((f) => readFileSync(join(staging, f), 'utf8')).join('')).not.toContain(PROD_SECRET);
    // The agent on the host, whatever its hostname, loads the same data and the same secrets.
    const problems: never[] = [];
    const onHost = loadPillar(staging, { ...controllerFacts('staging', db), hostname: 'other', id: 'other' }, problems);
    expect(problems).toEqual([]);
    expect(onHost.files).toEqual(p.files);
    expect(onHost.data).toEqual(loadPillar(dir, controllerFacts('staging', db), []).data);
    expect(onHost.secrets.mask(STAGING_SECRET)).toBe('********');
  });
});
