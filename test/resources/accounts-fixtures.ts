// Seeded account files and throwaway public keys for the account kinds' unit tests, and a helper
// that compiles one state through the real compile path and plans it against a fake host.
import { compileStates } from '../support/project.js';
import { FakeHost } from '../support/fake-host.js';
import { readOnlyView } from '../../src/host/read-only.js';
import { registry } from '../../src/resources/index.js';
import type { Change, Plan } from '../../src/resources/resource.js';

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'alice:x:1000:1000:Alice Liddell,Room 1,,:/home/alice:/bin/bash',
  'bob:x:1001:1001::/home/bob:/bin/sh',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'adm:x:4:alice',
  'sudo:x:27:alice,bob',
  'www-data:x:33:',
  'alice:x:1000:',
  'bob:x:1001:',
  'deploy:x:2000:',
  '',
].join('\n');

export const SHADOW = [
  'root:*:19000:0:99999:7:::',
  'daemon:*:19000:0:99999:7:::',
  'www-data:*:19000:0:99999:7:::',
  'alice:$y$j9T$salt$hash:19000:0:99999:7:::',
  'bob:!:19000:0:99999:7:::',
  '',
].join('\n');

export const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKtPv+9n7SmE0sAU89zMI1grj9js4ArAd9CNFpT8WfW1 a@test';
export const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINPA/G5VhiwqYdRvnTneYSNkID+sEL56ko8EObRwZlWR b@test';
export const KEY_C = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPHSx9ws+OKr7R17Qq8MixH2YyYde2LIkxLU5BmAcFTW c@test';
export const KEY_RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCeFE9N2AF6z0S9teDNXJOF9vUuWTFLOKZWGWUKrrz23KtNPT4QnGJUL5m1TBe8JvhNwptPNONl9BhKCrX+SkM0tvA0oXHmnPLsG6y9baOTglk3HutAsJPgI8ZdhDdnrDeHZeVVA6wPT6VpNCzjpHrNilDlaXDf0zRpuh5HJS95R5WaN62j3+kRN2vHiD10xKWyeH9515fBzlM1FW0oZQgCPNUauQF7T1Od+rFXx7xC2HHExvhy57MEFzPVPpb+E1B8WqNvWKJdbba2IIqHIkCYIorLaitWryPHy7pFN53pSYwycCqjEL8R+LSjQcFcGcPJ3XqWMy/VZd8/tAYep3Oj r@test';
export const KEY_ECDSA = 'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBDHMI2SEJbQT4dWm39mvMXNvaOaGV0X08KKb3cwAeBj+yO9BIvYWXIS+WDW64vTKR3XcckkrV1ywoJ1fk07gB4iXkJEGMVWzIh70CPZFXFpBisjOirgWGnuD/ujiZCYhTg== e@test';

/** The seeded account files and alice's and bob's homes; every command answers exit 0 unless scripted. */
export function accountsHost(): FakeHost {
  return new FakeHost()
    .on(() => ({ exitCode: 0 }))
    .file('/etc/passwd', PASSWD)
    .file('/etc/group', GROUP)
    .file('/etc/shadow', SHADOW, { mode: 0o640, gid: 42 })
    .dir('/home/alice', { mode: 0o750, uid: 1000, gid: 1000 })
    .dir('/home/bob', { mode: 0o750, uid: 1001, gid: 1001 });
}

/** Compile one state file's text and plan its only (or first) state against the host. */
export async function planOne(states: string, host: FakeHost): Promise<Plan> {
  const c = compileStates(states);
  const decl = c.graph.order[0];
  const fn = registry[decl.kind][decl.fn];
  return fn.plan(c.specs.get(decl.key), { host: readOnlyView(host), decl, varDir: '/var/lib/brine' });
}

/** Apply changes the way the engine does (facts dropped after each); returns the commands run. */
export async function applyAll(changes: Change[], host: FakeHost): Promise<string[][]> {
  const before = host.commands().length;
  for (const ch of changes) {
    await ch.apply(host);
    host.invalidate();
  }
  return host.commands().slice(before);
}
