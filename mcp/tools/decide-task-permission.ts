import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PermissionDecision, PermissionRequest } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { preview } from './format.js';
import { at, PeerArg, where } from './peer.js';
import { peerArg, TaskIdArg } from './task-format.js';

const f = PermissionDecision.shape;

export function registerDecideTaskPermissionTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_decide_task_permission',
    title: "Allow or deny an AI task's tool request",
    description:
      'Answer a permission request of an AI task (shown by ferry_dispatch_task, ferry_wait_for_task or ferry_task_status ' +
      'as pending): allow lets its agent use that tool with exactly the input shown, once; deny refuses it, and message ' +
      'tells the agent why (it then tries another way or gives up). The agent works on the machine the task runs on, ' +
      'with the daemon user\'s rights there: allow only what the task needs and the user would accept, and ask the user ' +
      'when unsure (e.g. deleting files, pushing, installing, reaching the network). Give the same peer as when the task ' +
      'was dispatched. Then continue with ferry_wait_for_task. Fails with permission-already-decided if it was answered ' +
      'or expired (unanswered requests are denied after the daemon\'s permission timeout, 10 minutes by default).',
    input: z.strictObject({
      taskId: TaskIdArg,
      permissionId: z.string().min(1).max(128).describe('The permission request id (pending[].id, or task.permissions[].id).'),
      behavior: f.behavior.describe('allow: the agent may use the tool this once, with this input. deny: it may not.'),
      message: f.message.describe('With deny: why, or what to do instead; the agent reads it.'),
      peer: PeerArg.optional().describe('The paired machine the task runs on, as given to ferry_dispatch_task. Omit for this machine.'),
    }),
    output: { permission: PermissionRequest },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run({ taskId, permissionId, behavior, message, peer }, { client }) {
      const p = await at(client, peer).decidePermission(taskId, permissionId, { behavior, ...(message !== undefined ? { message } : {}) });
      const what = `${p.tool} ${preview(p.input, 200)}`;
      const done = p.status === 'allowed' ? `Allowed: the agent of AI task ${taskId}${where(peer)} may use ${what}.` : `Denied ${what} for AI task ${taskId}${where(peer)}${p.message ? ` (told: ${p.message})` : ''}.`;
      return { text: `${done} Continue with ferry_wait_for_task {taskId: ${JSON.stringify(taskId)}${peerArg(peer)}, since: <the nextSince of your last result>}.`, data: { permission: p } };
    },
  });
}
