import type { Command } from 'commander';
import type { FerryClient } from '../../../server/client/index.js';
import { AI_TASK_FINAL, type AiTask, type AiTaskEvent } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { peerOption } from '../../options.js';
import { aiTaskExitCode } from '../../lib/ai-follow.js';
import { watchTask } from '../../lib/ai-watch.js';
import { aiTaskDetails, doneLine, endNote, eventLogLine, onPeer } from '../../views/ai-tasks.js';
import { rethrowExplained } from './hints.js';

interface ShowOptions {
  events?: boolean;
  follow?: boolean;
  peer?: string;
}

export function registerAiShow(group: Command): void {
  group
    .command('show')
    .description('one AI task: its prompt, state, permission requests and result')
    .argument('<id>', 'task id (from `ferry ai list` or `ferry ai run --detach`)')
    .option('-e, --events', 'its event log instead, one line per step (with --json: {task, events})')
    .option('-f, --follow', 'stream it from the start until it ends, as `ferry ai run` shows it (Ctrl-C stops watching; the task goes on); exits as `ferry ai run` would')
    .addOption(peerOption())
    .action(action(show));
}

async function show(ctx: CliContext, opts: ShowOptions, id: string): Promise<number> {
  const situation = { peer: opts.peer, taskId: id };
  const client = ctx.client(opts.peer);
  const task = await client.aiTask(id).catch(rethrowExplained(situation));
  if (opts.follow) return follow(ctx, client, task, opts).catch(rethrowExplained(situation));
  if (opts.events) {
    const events = await allEvents(client, id).catch(rethrowExplained(situation));
    if (ctx.json) ctx.out.data({ task, events });
    else for (const e of events) ctx.out.line(eventLogLine(e, ctx.out.paint, Math.max(40, ctx.out.interactive ? ctx.out.columns - 36 : 400)));
    return 0;
  }
  if (ctx.json) {
    ctx.out.data(task);
    return 0;
  }
  for (const line of aiTaskDetails(task, ctx.out.paint, opts.peer)) ctx.out.line(line);
  return 0;
}

/** Every stored event, page by page. */
async function allEvents(client: FerryClient, id: string): Promise<AiTaskEvent[]> {
  const events: AiTaskEvent[] = [];
  let since = 0;
  for (;;) {
    const page = await client.aiTaskEvents(id, { since, limit: 1000 });
    events.push(...page.items);
    if (page.items.length === 0 || page.ended || page.nextSince === since) return events;
    since = page.nextSince;
  }
}

/**
 * `--follow`: the task from its first event to its end. --json: one `{type: "event", event}` line
 * per event and `{type: "end", task}` last; --events: the log's lines instead of the agent's text.
 */
async function follow(ctx: CliContext, client: FerryClient, task: AiTask, opts: ShowOptions): Promise<number> {
  const width = Math.max(40, ctx.out.interactive ? ctx.out.columns - 36 : 400);
  const render = ctx.json
    ? (event: AiTaskEvent) => ctx.out.line(JSON.stringify({ type: 'event', event }))
    : opts.events
      ? (event: AiTaskEvent) => ctx.out.line(eventLogLine(event, ctx.out.paint, width))
      : undefined;
  const { task: final, interruptedBy } = await watchTask(ctx, { client, peer: opts.peer, task, cancelOnInterrupt: false, ask: false, ...(render && { render }) });
  const code = aiTaskExitCode(final, interruptedBy);
  if (ctx.json) {
    if (final) ctx.out.line(JSON.stringify({ type: 'end', task: final }));
    return code;
  }
  const on = onPeer(opts.peer);
  if (interruptedBy && final && !AI_TASK_FINAL.includes(final.status)) {
    ctx.out.note(ctx.out.paintErr('dim', `stopped watching; AI task ${task.id} goes on: \`ferry ai show ${task.id} --follow${on}\` (or \`ferry ai cancel ${task.id}${on}\`)`));
  } else if (final) {
    const note = endNote(final);
    ctx.out.note(note ? ctx.out.paintErr('yellow', `ferry: ${note}`) : ctx.out.paintErr('dim', `ferry: ${doneLine(final)}`));
  }
  return code;
}
