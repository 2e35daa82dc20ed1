import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AiTaskStatus, AiTaskSummary, Cursor } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { at, PeerArg, where } from './peer.js';
import { taskHeadline } from './task-format.js';

export function registerListTasksTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_list_tasks',
    title: 'List AI tasks',
    description:
      'List the AI tasks of this machine\'s Ferry daemon (dispatched by anyone: agents, the CLI, the admin UI, peers), ' +
      'newest first, optionally only those with one status (queued, running, succeeded, failed, canceled, timed-out, ' +
      'interrupted, lost). With peer: the tasks this machine dispatched to that paired machine. pendingPermissions ' +
      'counts the requests waiting for a decision. Events and results are not included: use ferry_task_status. When ' +
      'nextCursor is not null, call again with it as cursor for the next page.',
    input: z.strictObject({
      status: AiTaskStatus.optional().describe('Only tasks with this status.'),
      limit: z.number().int().min(1).max(500).optional().describe('Tasks per page (1–500, default 50).'),
      cursor: Cursor.optional().describe('The nextCursor of the previous page.'),
      peer: PeerArg.optional().describe('List the tasks this machine dispatched to that paired machine. Omit for this machine.'),
    }),
    output: { items: z.array(AiTaskSummary), nextCursor: z.string().nullable() },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ status, limit, cursor, peer }, { client }) {
      const page = await at(client, peer).aiTasks({ status, limit, cursor });
      const head = page.items.length === 0 ? `No AI tasks${where(peer)}.` : `${page.items.length} AI tasks${where(peer)}, newest first:`;
      const more = page.nextCursor ? `\nMore tasks: call again with cursor "${page.nextCursor}".` : '';
      const lines = page.items.map((t) => `- ${taskHeadline(t)}, created ${t.createdAt}`);
      return { text: [head, ...lines].join('\n') + more, data: { items: page.items, nextCursor: page.nextCursor } };
    },
  });
}
