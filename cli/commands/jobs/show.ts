import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { peerOption } from '../../options.js';
import { jobDetails } from '../../views/jobs.js';

export function registerJobsShow(group: Command): void {
  group
    .command('show')
    .description('one job: its command, state, timings and (capped) output')
    .argument('<id>', 'job id (from `ferry jobs` or `ferry exec --detach`)')
    .addOption(peerOption())
    .action(action(show));
}

async function show(ctx: CliContext, opts: { peer?: string }, id: string): Promise<number> {
  const job = await ctx.client(opts.peer).job(id);
  if (ctx.json) {
    ctx.out.data(job);
    return 0;
  }
  for (const line of jobDetails(job, ctx.out.paint)) ctx.out.line(line);
  return 0;
}
