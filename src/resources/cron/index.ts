// cron.present / cron.absent: one job in a user's crontab, in Salt's arguments and Salt's
// layout. Read from cron's spool; written with `crontab -u USER -` (which checks the syntax).
import type { Args } from '../../core/args.js';
import { unifiedDiff } from '../../core/diff.js';
import { MissingError } from '../../core/errors.js';
import type { ResourceFunction, ResourceKind } from '../resource.js';
import { accountName } from '../accounts/shared.js';
import { readPasswd } from '../accounts/passwd.js';
import { editCrontab, fromSpool, type CronJob } from './crontab.js';
import { run } from '../../host/run.js';

interface CronSpec {
  user: string;
  job: CronJob;
  absent: boolean;
}

const SPOOL = '/var/spool/cron/crontabs';
const FIELDS = ['minute', 'hour', 'daymonth', 'month', 'dayweek'] as const;
const SPECIALS = ['@reboot', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function parse(a: Args, absent: boolean): CronSpec {
  const cmd = a.name;
  if (/[\n\r]/.test(cmd) || !cmd.trim()) a.problem('name', 'the command must be one non-empty line');
  const user = a.has('user') ? accountName(a, 'user') : a.str('user', 'root');
  const fields = FIELDS.map((f) => a.str(f, '*'));
  fields.forEach((v, i) => {
    if (!/^[0-9*,/A-Za-z-]+$/.test(v)) a.problem(FIELDS[i], `not a crontab field: ${JSON.stringify(v)}`);
  });
  const special = a.str('special');
  if (special !== undefined && !SPECIALS.includes(special)) a.problem('special', `must be one of ${SPECIALS.join(', ')}`);
  const comment = a.str('comment');
  if (comment !== undefined && /[\n\r]/.test(comment)) a.problem('comment', 'must be one line');
  const identifier = a.str('identifier') ?? cmd;
  return { user, absent, job: { cmd, identifier, when: special ?? fields.join(' '), comment } };
}

const fn = (absent: boolean): ResourceFunction<CronSpec> => ({
  parse: (a) => parse(a, absent),
  async plan(spec, { host }) {
    if (!(await readPasswd(host)).some((u) => u.name === spec.user)) throw new MissingError(`user '${spec.user}' does not exist`);
    if (!(await host.stat(SPOOL))) throw new MissingError(`${SPOOL} does not exist (is cron installed?)`);
    const path = `${SPOOL}/${spec.user}`;
    const raw = await host.readFile(path);
    const current = raw === null ? '' : fromSpool(raw);
    const next = editCrontab(current, spec.job, spec.absent);
    if (next === current) return { changes: [] };
    const argv = ['crontab', '-u', spec.user, '-'];
    return {
      changes: [
        {
          summary: spec.absent ? `remove cron job for ${spec.user}: ${spec.job.cmd}` : `${current.includes(spec.job.cmd) ? 'update' : 'add'} cron job for ${spec.user}: ${spec.job.when} ${spec.job.cmd}`,
          diff: unifiedDiff(`crontab of ${spec.user}`, current, next),
          async apply(h) {
            const fresh = await h.readFile(path);
            await run(h, argv, { input: editCrontab(fresh === null ? '' : fromSpool(fresh), spec.job, spec.absent) });
          },
        },
      ],
    };
  },
});

export const cron: ResourceKind = { present: fn(false), absent: fn(true) };
