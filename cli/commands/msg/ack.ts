import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { explainMissing } from './hints.js';

export function registerMsgAck(group: Command): void {
  group
    .command('ack')
    .description('acknowledge a received message (its sender sees it); acknowledging twice changes nothing')
    .argument('<id>', 'its id (from `ferry msg inbox`)')
    .action(action(ack));
}

async function ack(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const m = await ctx.client().ackMessage(id).catch(explainMissing('inbox'));
  if (m.status === 'expired') {
    throw new CliError('message-expired', `message ${id} from ${m.from.name} expired before it was acknowledged`, {
      hint: `its sender already counts it as expired: answer with \`ferry msg send ${m.from.name} "…"\` if it still matters`,
      details: { id, expiresAt: m.expiresAt },
    });
  }
  if (ctx.json) ctx.out.data(m);
  else ctx.out.line(`acknowledged ${m.id} from ${m.from.name}`);
  return 0;
}
