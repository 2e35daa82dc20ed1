import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { int } from '../../options.js';
import { explainMissing } from './hints.js';

interface InboxOptions {
  unread?: boolean;
  from?: string;
  thread?: string;
  limit?: number;
}

export function registerMsgInbox(group: Command): void {
  group
    .command('inbox')
    .description('messages received, newest first')
    .option('-u, --unread', 'only the ones not acknowledged yet')
    .option('--from <peer>', 'only from this machine (name or node id)')
    .option('--thread <id>', 'only this thread')
    .option('-n, --limit <n>', 'at most this many (1-500, default 100)', int(1, 500))
    .action(action(inbox));

  group
    .command('show')
    .description('one received message in full')
    .argument('<id>', 'its id (from `ferry msg inbox`)')
    .action(action(show));
}

async function inbox(ctx: CliContext, opts: InboxOptions): Promise<number> {
  const { items } = await ctx.client().inbox({
    ...(opts.unread && { unacked: true }),
    ...(opts.from !== undefined && { from: opts.from }),
    ...(opts.thread !== undefined && { thread: opts.thread }),
    ...(opts.limit !== undefined && { limit: opts.limit }),
  });
  if (ctx.json) {
    ctx.out.data({ items });
    return 0;
  }
  if (items.length === 0) {
    ctx.out.note(opts.unread || opts.from || opts.thread ? 'no messages match' : 'no messages yet (`ferry msg wait` waits for one)');
    return 0;
  }
  const { inboxPlain, inboxTable } = await import('../../views/messages.js');
  if (ctx.out.interactive) {
    const [header = '', ...rows] = inboxTable(items, ctx.out.columns);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
    if (items.some((m) => m.status === 'unread')) ctx.out.note(ctx.out.paintErr('dim', `read one: ferry msg show <id> · acknowledge it: ferry msg ack <id>`));
  } else for (const line of inboxPlain(items)) ctx.out.line(line);
  return 0;
}

async function show(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const m = await ctx.client().message(id).catch(explainMissing('inbox'));
  if (ctx.json) {
    ctx.out.data(m);
    return 0;
  }
  const { messageLines } = await import('../../views/messages.js');
  for (const line of messageLines(m, ctx.out.paint)) ctx.out.line(line);
  if (m.status === 'unread') ctx.out.note(ctx.out.paintErr('dim', `acknowledge it: ferry msg ack ${m.id} · answer: ferry msg send ${m.from.name} "…" --reply-to ${m.id}`));
  return 0;
}
