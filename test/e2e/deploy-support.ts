// For the deploy tests: the shipped stack and example app as a temp git repository (commits A,
// B, C… made by the test), and a bounded request loop against one test host's address.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const REPO = resolve(__dirname, '../..');

export class AppRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'brine-deploy-e2e-'));

  constructor() {
    for (const sub of ['states', 'pillar', 'example']) cpSync(join(REPO, sub), join(this.dir, sub), { recursive: true });
    rmSync(join(this.dir, 'pillar/staging/secrets.yaml'), { force: true });
    cpSync(join(REPO, '.gitignore'), join(this.dir, '.gitignore'));
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  write(path: string, text: string): void {
    writeFileSync(join(this.dir, path), text);
  }

  edit(path: string, from: string | RegExp, to: string): void {
    const text = this.read(path);
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${path}: nothing matched ${from}`);
    this.write(path, next);
  }

  async git(...args: string[]): Promise<string> {
    const r = await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@brine.test', ...args], { cwd: this.dir });
    return r.stdout.trim();
  }

  /** Commits everything; returns the short hash (the release id). */
  async commit(message: string): Promise<string> {
    if ((await this.git('rev-parse', '--is-inside-work-tree').catch(() => '')) !== 'true') await this.git('init', '-q', '-b', 'main');
    await this.git('add', '-A');
    await this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', '--short', 'HEAD');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface LoopResult {
  requests: number;
  failures: string[];
  /** How many answers came from each app version. */
  versions: Record<string, number>;
}

/**
 * GETs https://ADDRESS/ one after another until stopped, at most `max` requests or `seconds`:
 * only ever to the test host's own address.
 */
export function requestLoop(address: string, max = 5000, seconds = 300): { stop: () => Promise<LoopResult> } {
  const out: LoopResult = { requests: 0, failures: [], versions: {} };
  let running = true;
  const deadline = Date.now() + seconds * 1000;
  const once = () =>
    new Promise<void>((done) => {
      const req = request({ host: address, port: 443, path: '/', rejectUnauthorized: false, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) out.failures.push(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
          else {
            const v = String((JSON.parse(body) as { version?: string }).version);
            out.versions[v] = (out.versions[v] ?? 0) + 1;
          }
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => {
        out.failures.push(e.message);
        done();
      });
      req.end();
    });
  const loop = (async () => {
    while (running && out.requests < max && Date.now() < deadline) {
      out.requests++;
      await once();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return out;
    },
  };
}

/** GET https://ADDRESS/PATH (self-signed: not verified), or POST a form. */
export async function site(address: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const args = ['-sk', '-m', '10', '-o', '-', '-w', '\n%{http_code}', ...(form ? Object.entries(form).flatMap(([k, v]) => ['--data-urlencode', `${k}=${v}`]) : []), `https://${address}${path}`];
  const r = await execa('curl', args, { reject: false });
  const text = String(r.stdout);
  const at = text.lastIndexOf('\n');
  return { status: Number(text.slice(at + 1)), body: text.slice(0, at) };
}
