import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { explainFilesError } from '../../lib/file-hints.js';
import { followTransfer } from '../../lib/follow-transfer.js';
import { transferDetails } from '../../views/transfers.js';

export function registerTransfersShow(group: Command): void {
  group
    .command('show')
    .description('one transfer: what, where, its state, bytes, hash and error')
    .argument('<id>', 'transfer id (from `ferry transfers` or `ferry send --detach`)')
    .option('-f, --follow', 'watch it with a progress bar until it ends (Ctrl-C stops watching; the transfer goes on); exits as `ferry send` would')
    .action(action(show));
}

async function show(ctx: CliContext, opts: { follow?: boolean }, id: string): Promise<number> {
  const t = await ctx
    .client()
    .transfer(id)
    .catch((err: unknown) => Promise.reject(explainFilesError(err, { peer: null, direction: 'ls' })));
  if (opts.follow) return followTransfer(ctx, t, { cancelOnInterrupt: false });
  if (ctx.json) {
    ctx.out.data(t);
    return 0;
  }
  for (const line of transferDetails(t, ctx.out.paint)) ctx.out.line(line);
  return 0;
}
