import type { Approval } from '../../../server/protocol/index.js';
import type { CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { subscribe } from '../../lib/events.js';
import { approvalLines } from '../../views/approvals.js';

/**
 * `ferry approvals --watch`: what is pending now, then every new request (with the command that
 * answers it) and every decision, until Ctrl-C. --json: one `{type, approval}` line each.
 */
export async function followApprovals(ctx: CliContext): Promise<number> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const shown = new Set<string>();
  const print = (type: 'approval.requested' | 'approval.decided', a: Approval) => {
    if (ctx.json) ctx.out.line(JSON.stringify({ type, approval: a }));
    else for (const line of approvalLines(type, a, ctx.out.paint)) ctx.out.line(line);
  };
  try {
    const events = await subscribe(ctx.home, ['approvals'], abort.signal);
    // Subscribed first, listed second: a request made in between is in both, and shown once.
    for (const a of (await ctx.client().approvals('pending')).items) {
      shown.add(a.id);
      print('approval.requested', a);
    }
    if (shown.size === 0) ctx.out.note(ctx.out.paintErr('dim', 'waiting for requests from peers… (Ctrl-C to stop)'));
    for await (const e of events) {
      if (e.type === 'approval.requested' && !shown.has(e.data.approval.id)) {
        shown.add(e.data.approval.id);
        print(e.type, e.data.approval);
      } else if (e.type === 'approval.decided') print(e.type, e.data.approval);
    }
    if (!abort.signal.aborted) throw new CliError('stream-ended', 'the daemon closed the event stream (did it stop?)', { hint: 'see `ferry status`' });
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
