import { Option, type Command } from 'commander';
import { TransferState } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { int } from '../../options.js';
import { transfersPlain, transfersTable } from '../../views/transfers.js';

interface ListOptions {
  state?: TransferState;
  limit?: number;
}

export function registerTransfersList(group: Command): void {
  group
    .command('list', { isDefault: true })
    .alias('ls')
    .description('recent transfers, newest first')
    .addOption(new Option('--state <state>', 'only transfers in this state').choices(TransferState.options))
    .option('-n, --limit <n>', 'how many (1-500)', int(1, 500), 20)
    .action(action(list));
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  const page = await ctx.client().transfers({ ...(opts.state && { state: opts.state }), ...(opts.limit !== undefined && { limit: opts.limit }) });
  if (ctx.json) {
    ctx.out.data(page);
    return 0;
  }
  if (page.items.length === 0) {
    ctx.out.note(opts.state ? `no ${opts.state} transfers` : 'no transfers yet: `ferry send <peer> <file> <path>` or `ferry pull <peer> <path> <file>` starts one');
    return 0;
  }
  if (ctx.out.interactive) {
    const [header = '', ...rows] = transfersTable(page.items);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else {
    for (const line of transfersPlain(page.items)) ctx.out.line(line);
  }
  return 0;
}
