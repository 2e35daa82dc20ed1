import type { Command } from 'commander';
import { Option } from 'commander';
import { JOB_STATUSES, type JobStatus } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { int, peerOption } from '../../options.js';
import { jobsPlain, jobsTable } from '../../views/jobs.js';

interface ListOptions {
  status?: JobStatus;
  limit?: number;
  peer?: string;
}

export function registerJobsList(group: Command): void {
  group
    .command('list', { isDefault: true })
    .alias('ls')
    .description('recent jobs, newest first')
    .addOption(new Option('--status <status>', 'only jobs in this state').choices(JOB_STATUSES))
    .option('-n, --limit <n>', 'how many (1-500)', int(1, 500), 20)
    .addOption(peerOption())
    .action(action(list));
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  const page = await ctx.client(opts.peer).jobs({ status: opts.status, limit: opts.limit });
  if (ctx.json) {
    ctx.out.data(page);
    return 0;
  }
  if (page.items.length === 0) {
    ctx.out.note(opts.status ? `no ${opts.status} jobs` : opts.peer ? `no jobs of yours on ${opts.peer} yet: run one with \`ferry exec ${opts.peer} -- <command>\`` : 'no jobs yet: run one with `ferry exec -- <command>`');
    return 0;
  }
  if (ctx.out.interactive) {
    const [header = '', ...rows] = jobsTable(page.items, ctx.out.columns);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else {
    for (const line of jobsPlain(page.items)) ctx.out.line(line);
  }
  return 0;
}
