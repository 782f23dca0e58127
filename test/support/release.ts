// The example app as a release in PROJECT/release/, laid out as brine provision uploads it, for
// runs of `brine apply` on a copy of the project (the stack tests, the benchmark): the copy is
// made a git repository, its app.source committed and archived.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildRelease } from '../../src/provision/release-build.js';
import { stageRelease } from '../../src/provision/release-host.js';
import { spawnProcess } from '../../src/provision/runner.js';

// import.meta.url, not __dirname: the benchmark runs this under tsx as an ES module.
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Copies example/ into `project`, commits it there and stages its release; returns the id. */
export async function stageExampleRelease(project: string): Promise<string> {
  cpSync(join(REPO, 'example'), join(project, 'example'), { recursive: true });
  const git = (...a: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@brine.test', ...a], { cwd: project });
  await git('init', '-q', '-b', 'main');
  await git('add', 'example');
  await git('commit', '-q', '-m', 'the example app');
  const r = await buildRelease(project, { source: 'example', requirements: 'requirements.txt' }, { ref: 'HEAD', allowDirty: false }, 'test@controller', spawnProcess);
  try {
    stageRelease(project, { ...r.manifest, archive: 'release.tar' }, r.archive);
  } finally {
    r.cleanup();
  }
  return r.manifest.id;
}
