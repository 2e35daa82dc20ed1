import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { jobDetails } from '../../views/jobs.js';

export function registerJobsShow(group: Command): void {
  group
    .command('show')
    .description('one job: its command, state, timings and (capped) output')
    .argument('<id>', 'job id (from `ferry jobs` or `ferry exec --detach`)')
    .action(action(show));
}

async function show(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const job = await ctx.client().job(id);
  if (ctx.json) {
    ctx.out.data(job);
    return 0;
  }
  for (const line of jobDetails(job, ctx.out.paint)) ctx.out.line(line);
  return 0;
}
