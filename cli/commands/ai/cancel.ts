import type { Command } from 'commander';
import { AI_TASK_FINAL, type AiTask } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { peerOption } from '../../options.js';
import { followTask, reconnector } from '../../lib/ai-follow.js';
import { onPeer } from '../../views/ai-tasks.js';
import { rethrowExplained } from './hints.js';

/** The daemon stops an agent within its kill grace (5 s by default); past this, report what it says then. */
const WAIT_MS = 15_000;

export function registerAiCancel(group: Command): void {
  group
    .command('cancel')
    .description('stop a queued or running AI task (its agent and everything it started)')
    .argument('<id>', 'task id (from `ferry ai list`)')
    .addOption(peerOption())
    .action(action(cancel));
}

async function cancel(ctx: CliContext, opts: { peer?: string }, id: string): Promise<number> {
  const situation = { peer: opts.peer, taskId: id };
  const client = ctx.client(opts.peer);
  const asked = await client.cancelAiTask(id).catch(rethrowExplained(situation));
  let final: AiTask = asked;
  if (!AI_TASK_FINAL.includes(asked.status)) {
    // Its end is the last event of its stream: wait for it (bounded), not for a poll to catch it.
    const ended = await followTask(reconnector(ctx.home, opts.peer), client, id, { since: asked.eventCount, signal: AbortSignal.timeout(WAIT_MS), onEvent: () => undefined }).catch(() => null);
    final = ended ?? (await client.aiTask(id).catch(() => asked));
  }
  if (ctx.json) ctx.out.data(final);
  else if (!AI_TASK_FINAL.includes(final.status)) ctx.out.note(`asked to cancel ${id}; it is still stopping: see \`ferry ai show ${id}${onPeer(opts.peer)}\``);
  else ctx.out.line(final.status === 'canceled' ? `canceled ${id}` : `${id} ended first: ${final.status}`);
  return 0;
}
