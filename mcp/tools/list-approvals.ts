import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Approval, ApprovalStatus } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';

export function approvalLine(a: Approval): string {
  const when = a.status === 'pending' ? `waits until ${a.expiresAt}` : `${a.status}${a.decidedAt ? ` at ${a.decidedAt}` : ''}`;
  const programs = a.programs.length > 0 ? ` (programs: ${a.programs.join(', ')})` : '';
  return `${a.id}: ${a.peer.name} asks for ${a.summary}${programs}; ${when}`;
}

export function registerListApprovalsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_list_approvals',
    title: 'List requests from peers that wait for a yes or no',
    description:
      'List the requests paired machines made to THIS machine that its policy says a person must approve ("ask"), ' +
      'e.g. a command a peer wants to run here. Pending ones wait (about a minute) and then expire. Defaults to the ' +
      'pending ones; status "all" lists decided and expired ones too. Decide with ferry_decide_approval, but only ' +
      'as the user tells you.',
    input: z.strictObject({
      status: z.union([ApprovalStatus, z.literal('all')]).optional().describe('Which ones (default "pending").'),
    }),
    output: { items: z.array(Approval) },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ status = 'pending' }, { client }) {
      const { items } = await client.approvals(status === 'all' ? undefined : status);
      const head = items.length === 0 ? (status === 'pending' ? 'Nothing waits for an answer.' : 'No approvals.') : `${items.length} approvals:`;
      return { text: [head, ...items.map((a) => `- ${approvalLine(a)}`)].join('\n'), data: { items } };
    },
  });
}
