import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FerryError } from '../../server/client/index.js';
import { AiTaskCreate, type AiTask } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { progressFor } from '../progress.js';
import { cancelOnAbort } from './cancel-on-abort.js';
import { defineTool } from './define.js';
import { at, PeerArg } from './peer.js';
import { DEFAULT_WAIT_S, outcomeOf, peerArg, taskHeadline, viewOf, waitData, WaitOutput, WaitSecondsArg, waitText } from './task-format.js';
import { waitForTask } from './task-wait.js';

/** A peer that has not answered the dispatch by then is probably asking its owner first: say so. */
const WAITING_NOTE_MS = 1000;

const f = AiTaskCreate.shape;
const DispatchInput = z.strictObject({
  peer: PeerArg.optional().describe("Run the task with the agent of a paired machine (its name from ferry_list_peers) instead of this one's. Omit for this machine."),
  agent: f.agent.describe('Which coding agent runs the prompt, with its own CLI on that machine: claude (Claude Code, the default), gemini (Gemini CLI) or codex (Codex CLI).'),
  prompt: f.prompt.describe('What the agent should do, written as you would to a colleague: the goal, where, and what to report back. Given to it on its standard input.'),
  cwd: f.cwd.describe("The directory the agent works in on that machine (default: the daemon user's home)."),
  model: f.model.describe("The agent's model, passed to its --model flag (default: the agent's own)."),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional()
    .describe("Stop the task after this many seconds (default: the daemon's, 30 minutes; at most its aiTasks.maxTimeoutMs)."),
  wait: z.boolean().optional().describe('Wait for the task (default true). false: return at once with the queued or running task and follow it with ferry_wait_for_task.'),
  waitSeconds: WaitSecondsArg.optional(),
});

export function registerDispatchTaskTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_dispatch_task',
    title: 'Give a task to a coding agent on this machine or a peer',
    description:
      "Dispatch a prompt to a coding agent (Claude Code, Gemini CLI or Codex CLI) through this machine's Ferry daemon, " +
      'or with peer on a paired machine, where it works with that machine\'s files and tools. The daemon runs at most a ' +
      'few tasks at once (the rest wait, queued). With wait (the default) the call follows the task and returns when it ' +
      'ENDS (outcome "ended": status, result, cost), or EARLIER as soon as the agent asks permission to use a tool ' +
      '(outcome "permission-pending": the task keeps running and waits for YOU — allow or deny each request with ' +
      'ferry_decide_task_permission, then continue with ferry_wait_for_task {taskId, since: nextSince}), or when ' +
      'waitSeconds pass (outcome "still-running": continue with ferry_wait_for_task). Only Claude Code asks ' +
      'permissions this way; the other agents run in their non-interactive mode. Returns the task, its newest events ' +
      'and nextSince. On a peer, its policy for this machine decides (scope-denied is a no; "ask" waits up to about a ' +
      'minute for a person there). Sends progress notifications (status, text, tool uses) when asked; cancelling this ' +
      'call while it waits cancels the task (after it has returned, use ferry_cancel_task). agent-not-installed: that ' +
      'machine has no such agent CLI.',
    input: DispatchInput,
    output: WaitOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async run({ peer, timeoutSeconds, wait = true, waitSeconds = DEFAULT_WAIT_S, ...req }, { client: local, extra, log }) {
      const client = at(local, peer);
      const progress = progressFor(extra);
      if (extra.signal.aborted) throw new FerryError(0, 'canceled', 'the call was cancelled before the task was dispatched');
      // Progress values must grow: a "waiting" note takes 0 and the dispatch note 0.5.
      const waiting = peer === undefined ? undefined : setTimeout(() => {
        void progress.report(0, `waiting for ${peer} to accept the task (its policy may ask a person there first)`, { force: true });
      }, WAITING_NOTE_MS);
      // No abort signal on this POST: aborted mid-flight, it could leave a task we have no id for.
      // A cancel that comes during it is seen just below, and cancels the task it started.
      let created: AiTask;
      try {
        created = await client.createAiTask({ ...req, ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}) });
      } finally {
        clearTimeout(waiting);
      }
      await progress.report(0.5, taskHeadline(created, peer), { force: true });

      if (!wait) {
        const text = `${taskHeadline(created, peer)}. Follow it with ferry_wait_for_task {taskId: ${JSON.stringify(created.id)}${peerArg(peer)}}.`;
        return { text, data: waitData({ task: viewOf(created), outcome: outcomeOf(created), pending: [], events: [], omittedEvents: 0, nextSince: 0, peer }) };
      }

      // The call owns the task while it waits for it (as ferry_execute owns its job): cancelling it cancels the task.
      const cancel = cancelOnAbort(
        extra.signal,
        () => client.cancelAiTask(created.id),
        (err) => {
          if (!(err instanceof FerryError && err.code === 'ai-task-not-running')) log('AI task cancel failed', { taskId: created.id, err: String(err) });
        },
      );
      try {
        const r = await waitForTask(client, created.id, { since: 0, waitSeconds, signal: extra.signal, progress, log, peer, announce: false });
        return { text: waitText(r), data: waitData(r) };
      } finally {
        cancel.stop();
        // The SDK sends no response to a cancelled request; getting the cancel to the daemon is what matters.
        if (cancel.canceling) await cancel.canceling;
      }
    },
  });
}
