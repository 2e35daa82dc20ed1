import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';

export function registerPeersRemove(group: Command): void {
  group
    .command('remove')
    .alias('rm')
    .description('unpair a machine (it is told, if it can be reached), or forget an address added with `peers add`')
    .argument('<peer>', 'name or node id, or address[:port] of a manual entry')
    .action(action(remove));
}

export function registerUnpair(program: Command): void {
  program
    .command('unpair')
    .description('unpair a machine: it can no longer reach this one, and is told to forget it too')
    .argument('<peer>', 'its name or node id (see `ferry peers`)')
    .action(action(remove));
}

async function remove(ctx: CliContext, _opts: object, ref: string): Promise<number> {
  const result = await ctx.client().removePeer(ref);
  if (ctx.json) {
    ctx.out.data(result);
    return 0;
  }
  if (result.notified === null) {
    ctx.out.line(`forgot ${result.removed}`);
    return 0;
  }
  ctx.out.line(`unpaired ${result.removed}: it can no longer reach this machine`);
  if (result.notified) ctx.out.line(`${result.removed} was told, and forgot this machine too`);
  else {
    ctx.out.line(`${result.removed} could not be told (it did not answer)`);
    ctx.out.note(`it still lists this machine until someone runs \`ferry unpair\` there, but its requests are refused`);
  }
  return 0;
}
