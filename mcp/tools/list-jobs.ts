import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Cursor, JobStatus, JobSummary } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { jobHeadline } from './format.js';
import { at, PeerArg, where } from './peer.js';

export function registerListJobsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_list_jobs',
    title: 'List command jobs',
    description:
      'List the commands run through this machine\'s Ferry daemon (by anyone: agents, the CLI, the admin UI), ' +
      'newest first, optionally only those with one status (e.g. "running"). With peer: the jobs this machine ' +
      'started on that paired machine. Output is not included: use ferry_get_job for that. When nextCursor is not ' +
      'null, call again with it as cursor for the next page.',
    input: z.strictObject({
      status: JobStatus.optional().describe('Only jobs with this status.'),
      limit: z.number().int().min(1).max(500).optional().describe('Jobs per page (1–500, default set by the daemon).'),
      cursor: Cursor.optional().describe('The nextCursor of the previous page.'),
      peer: PeerArg.optional(),
    }),
    output: { items: z.array(JobSummary), nextCursor: z.string().nullable() },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ status, limit, cursor, peer }, { client }) {
      const page = await at(client, peer).jobs({ status, limit, cursor });
      const head = page.items.length === 0 ? `No jobs${where(peer)}.` : `${page.items.length} jobs${where(peer)}, newest first:`;
      const more = page.nextCursor ? `\nMore jobs: call again with cursor "${page.nextCursor}".` : '';
      const lines = page.items.map((j) => `- ${jobHeadline(j)}, started ${j.createdAt}`);
      return { text: [head, ...lines].join('\n') + more, data: { items: page.items, nextCursor: page.nextCursor } };
    },
  });
}
