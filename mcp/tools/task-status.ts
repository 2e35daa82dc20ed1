import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AiTask, AiTaskEvent } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { clip, TEXT_OUTPUT_LIMIT } from './format.js';
import { at, PeerArg } from './peer.js';
import { eventLine, isFinal, permissionLine, SinceArg, TaskIdArg, taskHeadline } from './task-format.js';

/** Without since: this many of the newest events, to show what the task is doing now. */
const RECENT_EVENTS = 20;
/** With since: at most this many events per call (the daemon's page). */
const PAGE_EVENTS = 200;

export function registerTaskStatusTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_task_status',
    title: 'Show an AI task',
    description:
      'Look at an AI task without waiting: its status, prompt, result (once it has one), error, cost, every permission ' +
      `request with its decision, and events — the newest ${RECENT_EVENTS} without since, or up to ${PAGE_EVENTS} after ` +
      'since (then nextSince pages on; more says whether there are more). For a task on a paired machine give the same ' +
      'peer as when it was dispatched. To wait for news, use ferry_wait_for_task instead.',
    input: z.strictObject({
      taskId: TaskIdArg,
      since: SinceArg.optional(),
      peer: PeerArg.optional().describe('The paired machine the task runs on, as given to ferry_dispatch_task. Omit for this machine.'),
    }),
    output: {
      task: AiTask,
      events: z.array(AiTaskEvent),
      nextSince: z.number().int().describe('The position of the last event returned: pass it as since to read on.'),
      more: z.boolean().describe('There are events after nextSince already.'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ taskId, since, peer }, { client }) {
      const c = at(client, peer);
      const first = await c.aiTask(taskId);
      const from = since ?? Math.max(0, first.eventCount - RECENT_EVENTS);
      const page = await c.aiTaskEvents(taskId, { since: from, limit: PAGE_EVENTS });
      // Read after the events, so the task is at least as new as they are (its pending requests, its end).
      const task = isFinal(first) ? first : await c.aiTask(taskId);
      const more = page.nextSince < task.eventCount;

      const parts = [taskHeadline(task, peer)];
      if (task.result !== null) parts.push(`--- result ---\n${clip(task.result, TEXT_OUTPUT_LIMIT, 'structuredContent.task.result')}`);
      if (task.permissions.length > 0) {
        const pending = task.permissions.filter((p) => p.status === 'pending');
        const decided = task.permissions.filter((p) => p.status !== 'pending');
        if (pending.length > 0) parts.push(`Waiting for a decision (ferry_decide_task_permission):\n${pending.map(permissionLine).join('\n')}`);
        if (decided.length > 0) parts.push(`Decided permission requests:\n${decided.map((p) => `- ${p.id}: ${p.tool} ${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ''}${p.message ? ` (${p.message})` : ''}`).join('\n')}`);
      }
      if (page.items.length > 0) {
        const lines = page.items.map((e) => `[${e.seq}] ${eventLine(e, 300)}`).join('\n');
        const tail = more ? `\n(more events after ${page.nextSince}: call again with since: ${page.nextSince})` : '';
        parts.push(`--- events ${page.items[0]!.seq}–${page.nextSince} of ${task.eventCount} ---\n${clip(lines, TEXT_OUTPUT_LIMIT, 'structuredContent.events')}${tail}`);
      }
      return { text: parts.join('\n'), data: { task, events: page.items, nextSince: page.nextSince, more } };
    },
  });
}
