import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';

export function registerPeersList(group: Command): void {
  group
    .command('list', { isDefault: true })
    .alias('ls')
    .description('paired machines (online, addresses, policy) and machines found but not paired')
    .action(action(list));
}

async function list(ctx: CliContext): Promise<number> {
  const { items } = await ctx.client().peers();
  if (ctx.json) {
    ctx.out.data({ items });
    return 0;
  }
  if (items.length === 0) {
    ctx.out.note('no peers yet: pair with another machine with `ferry pair` (here) and `ferry pair <address>` (there)');
    return 0;
  }
  const { peersPlain, peersTable } = await import('../../views/peers.js');
  if (ctx.out.interactive) {
    const [header = '', ...rows] = peersTable(items);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else for (const line of peersPlain(items)) ctx.out.line(line);
  return 0;
}
