import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AiTask } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { at, PeerArg, where } from './peer.js';
import { peerArg, TaskIdArg, taskHeadline } from './task-format.js';

export function registerCancelTaskTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_cancel_task',
    title: 'Cancel an AI task',
    description:
      'Stop an AI task: a queued one never starts; a running one has its agent (and everything it started) stopped, and ' +
      'its pending permission requests are denied. Give peer for a task that runs on a paired machine. Fails with ' +
      'ai-task-not-running if it already ended. (Cancelling an in-progress ferry_dispatch_task call also cancels its task.)',
    input: z.strictObject({
      taskId: TaskIdArg,
      peer: PeerArg.optional().describe('The paired machine the task runs on, as given to ferry_dispatch_task. Omit for this machine.'),
    }),
    output: { task: AiTask },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ taskId, peer }, { client }) {
      const task = await at(client, peer).cancelAiTask(taskId);
      // The daemon answers at once, while the agent's process group is still being stopped.
      const text =
        task.status === 'running'
          ? `Cancelling AI task ${task.id}${where(peer)} ("${task.title}"): the daemon is stopping its agent; ferry_wait_for_task {taskId: ${JSON.stringify(task.id)}${peerArg(peer)}} returns once it has ended.`
          : taskHeadline(task, peer);
      return { text, data: { task } };
    },
  });
}
