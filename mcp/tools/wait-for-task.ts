import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolDeps } from '../deps.js';
import { progressFor } from '../progress.js';
import { defineTool } from './define.js';
import { at, PeerArg } from './peer.js';
import { DEFAULT_WAIT_S, SinceArg, TaskIdArg, waitData, WaitOutput, WaitSecondsArg, waitText } from './task-format.js';
import { waitForTask } from './task-wait.js';

export function registerWaitForTaskTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_wait_for_task',
    title: 'Wait for an AI task',
    description:
      'Follow an AI task (from ferry_dispatch_task, here or with peer on a paired machine) and return when it ends, ' +
      'as soon as one of its permission requests waits for a decision (at once if one does already: decide it with ' +
      'ferry_decide_task_permission first), or when waitSeconds pass — the same rules as ferry_dispatch_task. ' +
      'Returns the task, the events after since (the newest 50 at most) and nextSince: pass it as since next time, ' +
      'so each call shows only what is new. A task still running after waitSeconds is a normal result: call again. ' +
      'Sends progress notifications (status, text, tool uses) when asked. Cancelling this call only stops the wait; ' +
      'the task goes on (stop it with ferry_cancel_task).',
    input: z.strictObject({
      taskId: TaskIdArg,
      since: SinceArg.optional(),
      waitSeconds: WaitSecondsArg.optional(),
      peer: PeerArg.optional().describe('The paired machine the task runs on, as given to ferry_dispatch_task. Omit for this machine.'),
    }),
    output: WaitOutput,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ taskId, since = 0, waitSeconds = DEFAULT_WAIT_S, peer }, { client, extra, log }) {
      const r = await waitForTask(at(client, peer), taskId, { since, waitSeconds, signal: extra.signal, progress: progressFor(extra), log, peer });
      return { text: waitText(r), data: waitData(r) };
    },
  });
}
