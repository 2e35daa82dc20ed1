import os from 'node:os';
import type { Transfer } from '../../server/protocol/index.js';
import type { CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { filesHint } from './file-hints.js';
import { transferView } from './transfer-view.js';
import { watchTransfer, type TransferEvents } from './watch-transfer.js';

/** After asking the daemon to cancel, how long to wait for the transfer's end before giving up on it. */
const CANCEL_GRACE_MS = 15_000;

export interface FollowOptions {
  /** Ctrl-C cancels the transfer (send, pull); otherwise it only stops watching (transfers show --follow). */
  cancelOnInterrupt: boolean;
  /** Subscribed before the transfer started, so that its first events are not missed. */
  subscription?: TransferEvents | undefined;
}

/**
 * Show a running transfer until it ends, and turn its end into the exit code: 0 done, 1 failed
 * (with its code, message and what to do), 130 canceled (143 when our SIGTERM canceled it).
 * --json prints the final Transfer and nothing else.
 */
export async function followTransfer(ctx: CliContext, first: Transfer, opts: FollowOptions): Promise<number> {
  const client = ctx.client();
  const view = await transferView(ctx.out, first);
  const abort = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  let giveUp: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy || !opts.cancelOnInterrupt) {
      interruptedBy ??= signal;
      abort.abort(); // a second interrupt, or only watching: stop waiting now
      return;
    }
    interruptedBy = signal;
    view.canceling();
    // One that already ended answers an error; the watch sees its end either way.
    void client.cancelTransfer(first.id).catch(() => undefined);
    giveUp = setTimeout(() => abort.abort(), CANCEL_GRACE_MS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let final: Transfer;
  let seen = first;
  try {
    final = await watchTransfer({
      home: ctx.home,
      client,
      id: first.id,
      signal: abort.signal,
      subscription: opts.subscription,
      onUpdate: (t) => {
        if (t.state === 'running') seen = t;
        view.update(t);
      },
    });
  } finally {
    clearTimeout(giveUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // A transfer stopped mid-way is saved with the bytes of its last save (once a second): say how
  // far it really got, as the progress events showed it.
  await view.finish(final.state !== 'done' && final.attempts === seen.attempts && seen.bytes > final.bytes ? { ...final, bytes: seen.bytes } : final);
  if (ctx.json) ctx.out.data(final);
  return exitFor(ctx, final, interruptedBy);
}

function exitFor(ctx: CliContext, t: Transfer, interruptedBy: NodeJS.Signals | undefined): number {
  const bySignal = 128 + (os.constants.signals[interruptedBy ?? 'SIGINT'] ?? 2);
  switch (t.state) {
    case 'done':
      return 0;
    case 'canceled':
      return bySignal;
    case 'running':
      ctx.out.note(ctx.out.paintErr('dim', `stopped watching; transfer ${t.id} goes on: \`ferry transfers show ${t.id} --follow\` (or \`ferry transfers cancel ${t.id}\`)`));
      return bySignal;
    case 'failed': {
      const code = t.error?.code ?? 'transfer-failed';
      const situation = { peer: t.peer, direction: t.direction, destinationKnown: t.finalPath !== null };
      const err = new CliError(code, t.error?.message ?? 'the transfer failed', { hint: filesHint(code, situation) ?? `see \`ferry transfers show ${t.id}\` and \`ferry logs\`` });
      // --json already printed the Transfer, whose `error` says it all: one document only.
      return ctx.json ? err.exit : ctx.out.fail(err);
    }
  }
}
