import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Approval } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';

export function registerDecideApprovalTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_decide_approval',
    title: "Approve or deny a peer's request",
    description:
      'Answer a pending request a paired machine made to this one (see ferry_list_approvals): approve lets it run ' +
      'here now, deny answers it scope-denied. remember with approve also lets that peer run the same program(s) ' +
      'from now on without asking. This grants another machine access to this one: do it only when the user asked ' +
      'you to. Fails with approval-already-decided when it was answered or expired.',
    input: z.strictObject({
      id: z.string().min(1).max(128).describe('The approval id from ferry_list_approvals.'),
      decision: z.enum(['approve', 'deny']),
      remember: z.boolean().optional().describe('With approve: let the peer run the same program(s) from now on without asking.'),
    }),
    output: { approval: Approval },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run({ id, decision, remember }, { client }) {
      const approval = await client.decideApproval(id, decision, remember);
      const kept = approval.remember && approval.programs.length > 0 ? ` ${approval.peer.name} may run ${approval.programs.join(', ')} from now on without asking.` : '';
      return { text: `${approval.status === 'approved' ? 'Approved' : 'Denied'} ${approval.peer.name}'s ${approval.summary}.${kept}`, data: { approval } };
    },
  });
}
