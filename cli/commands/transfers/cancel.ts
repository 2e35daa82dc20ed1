import type { Command } from 'commander';
import { FerryError } from '../../../server/client/index.js';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { explainFilesError } from '../../lib/file-hints.js';
import { watchTransfer } from '../../lib/watch-transfer.js';

/** The daemon stops a transfer within moments; past this, report what it says then. */
const WAIT_MS = 15_000;

export function registerTransfersCancel(group: Command): void {
  group
    .command('cancel')
    .description('stop a running transfer; nothing is left at the destination (its temporary file is removed)')
    .argument('<id>', 'transfer id (from `ferry transfers`)')
    .action(action(cancel));
}

async function cancel(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const client = ctx.client();
  try {
    await client.cancelTransfer(id);
  } catch (err) {
    if (err instanceof FerryError && err.code === 'job-not-running') {
      // The daemon names it as it does for jobs; the state is in the details.
      throw new CliError(err.code, err.message, { hint: `it already ended: see it with \`ferry transfers show ${id}\``, details: err.details });
    }
    throw explainFilesError(err, { peer: null, direction: 'ls' });
  }
  const t = await watchTransfer({ home: ctx.home, client, id, signal: AbortSignal.timeout(WAIT_MS), onUpdate: () => undefined });
  if (ctx.json) ctx.out.data(t);
  else if (t.state === 'running') ctx.out.note(`asked to cancel ${id}; it is still stopping: see \`ferry transfers show ${id}\``);
  else ctx.out.line(t.state === 'canceled' ? `canceled ${id}` : `${id} ended first: ${t.state}`);
  return 0;
}
