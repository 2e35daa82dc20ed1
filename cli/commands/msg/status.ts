import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { int } from '../../options.js';
import { explainMissing } from './hints.js';

export function registerMsgStatus(group: Command): void {
  group
    .command('status')
    .description('a sent message and where it is with each recipient: queued, delivered, acknowledged, expired or failed')
    .argument('<id>', 'the id `ferry msg send` printed')
    .action(action(status));

  group
    .command('outbox')
    .alias('sent')
    .description('messages sent from here, newest first, with each recipient\'s status')
    .option('-n, --limit <n>', 'at most this many (1-500, default 100)', int(1, 500))
    .action(action(outbox));
}

async function status(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const m = await ctx.client().sentMessage(id).catch(explainMissing('outbox'));
  if (ctx.json) {
    ctx.out.data(m);
    return 0;
  }
  const { recipientsPlain, sentLines } = await import('../../views/messages.js');
  const lines = ctx.out.interactive ? sentLines(m, ctx.out.paint) : recipientsPlain(m);
  for (const line of lines) ctx.out.line(line);
  return 0;
}

async function outbox(ctx: CliContext, opts: { limit?: number }): Promise<number> {
  const { items } = await ctx.client().outbox(opts.limit);
  if (ctx.json) {
    ctx.out.data({ items });
    return 0;
  }
  if (items.length === 0) {
    ctx.out.note('nothing sent yet');
    return 0;
  }
  const { outboxPlain, outboxTable } = await import('../../views/messages.js');
  if (ctx.out.interactive) {
    const [header = '', ...rows] = outboxTable(items, ctx.out.columns);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else for (const line of outboxPlain(items)) ctx.out.line(line);
  return 0;
}
