import type { Command } from 'commander';
import type { Transfer, TransferCreate } from '../../server/protocol/index.js';
import type { CliContext } from '../command.js';
import { explainFilesError } from './file-hints.js';
import { followTransfer } from './follow-transfer.js';
import { preloadView } from './transfer-view.js';
import { openTransferEvents } from './watch-transfer.js';

export interface TransferFlags {
  force?: boolean;
  parents?: boolean;
  detach?: boolean;
}

/** The flags `send` and `pull` share. */
export function transferFlags(cmd: Command): Command {
  return cmd
    .option('-f, --force', 'replace the destination if it exists')
    .option('-p, --parents', 'create missing parent directories of the destination')
    .option('-d, --detach', 'start it, print the transfer id and return (follow it with `ferry transfers show <id> --follow`)');
}

/**
 * Ask the local daemon to move the bytes (it does, even if we go away), then follow it to its
 * end — or, with --detach, say how to find it later.
 */
export async function runTransfer(ctx: CliContext, req: TransferCreate, flags: TransferFlags): Promise<number> {
  // Subscribed and drawn before the transfer starts: the bar shows it from its first byte.
  const [subscription] = flags.detach ? [undefined] : await Promise.all([openTransferEvents(ctx.home), preloadView(ctx.out)]);
  let started: Transfer;
  try {
    started = await ctx.client().startTransfer({ ...req, ...(flags.force && { force: true }), ...(flags.parents && { parents: true }) });
  } catch (err) {
    subscription?.close();
    throw explainFilesError(err, { peer: req.peer ?? null, direction: req.direction });
  }
  if (flags.detach) {
    if (ctx.json) ctx.out.data(started);
    else {
      ctx.out.line(started.id);
      ctx.out.note(ctx.out.paintErr('dim', `started transfer ${started.id}: follow it with \`ferry transfers show ${started.id} --follow\``));
    }
    return 0;
  }
  return followTransfer(ctx, started, { cancelOnInterrupt: true, subscription });
}
