// The shipped fail2ban, upgrades and hardening states and the release-dependent packages,
// compiled by the real compiler: on by default, off by the env pillar, packages from facts.
import { describe, expect, it } from 'vitest';
import { compileStack, contentOf, label, shipped, spec, web } from './support.js';

const os = (codename: string, id = 'debian') => ({ os: { id, version_id: '', codename, pretty_name: '' } });
const ENV = 'environment: staging\ndomain: staging.example.com\nhosts: []\n';

describe('hardening states', () => {
  it('debug', () => {
    const c = compileStack(shipped(), web());
    console.log(c.graph.order.map(label).join('\n'));
  });
});
