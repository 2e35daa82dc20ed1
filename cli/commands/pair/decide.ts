import type { PresetName } from '../../../server/protocol/index.js';
import type { CliContext } from '../../command.js';
import { usageError } from '../../errors.js';
import { pairingEnded, refuseYes, report } from '../../lib/pairing.js';
import { formatSas } from '../../views/pairing.js';

export interface DecideOptions {
  policy?: PresetName;
  wait?: number;
  yes?: boolean;
}

/**
 * `ferry pair confirm <sessionId> --policy <preset>`: the decision a person took after comparing
 * the codes, for scripts (and the people behind them) that follow `ferry pair --json`.
 */
export async function confirm(ctx: CliContext, opts: DecideOptions, id: string): Promise<number> {
  refuseYes(opts.yes);
  if (!opts.policy) throw usageError('say what the other machine may do here: --policy trusted|collaborator|read-only');
  const client = ctx.client();
  const s = await client.confirmPairing(id, opts.policy, opts.wait ?? 60);
  if (s.state === 'waiting-for-peer') {
    if (ctx.json) ctx.out.data(s);
    else ctx.out.line(`Confirmed here (comparison code ${formatSas(s.sas)}); ${s.peer?.name ?? 'the other machine'} has not decided yet.`);
    return 0;
  }
  if (ctx.json && s.state === 'paired') {
    ctx.out.data(s);
    return 0;
  }
  return report(ctx, client, s, opts.policy);
}

/** `ferry pair reject <sessionId>`: the codes differ, or this pairing is not wanted. */
export async function reject(ctx: CliContext, _opts: object, id: string): Promise<number> {
  const s = await ctx.client().rejectPairing(id);
  if (s.state !== 'rejected') throw pairingEnded(s);
  if (ctx.json) ctx.out.data(s);
  else ctx.out.line(`Rejected the pairing with ${s.peer?.name ?? 'the other machine'}: nothing was stored.`);
  return 0;
}
