import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { PeerList } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { grantSummary } from '../tools/list-peers.js';
import { FERRY_GUIDE } from './help.js';

/** The machines as they are now, so the plan starts from facts; the prompt still works without a daemon. */
async function snapshot(deps: ToolDeps): Promise<string> {
  let peers: PeerList;
  try {
    peers = await deps.client().peers();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return `(The Ferry daemon could not be asked for its peers just now: ${typeof code === 'string' ? code : 'error'}. Call ferry_list_peers once it is up.)`;
  }
  const paired = peers.items.filter((p) => p.paired);
  if (paired.length === 0) return 'Right now no machine is paired with this one: the work can only run here until a person pairs one (`ferry pair`).';
  const lines = paired.map((p) => {
    const state = p.online === true ? 'online' : p.online === false ? 'offline' : 'not checked yet';
    const grant = p.policy ? `; this machine grants it ${p.preset ?? grantSummary(p.policy)}` : '';
    return `- ${p.name}: ${state}${grant}`;
  });
  return `Paired machines right now (what they let THIS machine do is decided on each of them):\n${lines.join('\n')}`;
}

export function registerCoordinatePrompt(server: McpServer, deps: ToolDeps): void {
  server.registerPrompt(
    'ferry_coordinate',
    {
      title: 'Split a task across machines',
      description:
        'Plan and run a task across this machine and its Ferry peers: which tools to use, how to check a peer first, ' +
        'what "ask" policies mean, how to follow the jobs and AI tasks, and how to share results through the context.',
      argsSchema: {
        task: z.string().min(1).max(4000).describe('What to get done, in your words.'),
        peer: completable(z.string().max(128).optional().describe('A machine to use (its Ferry peer name); leave out to choose among all.'), async (value) => {
          try {
            const { items } = await deps.client().peers();
            return items.filter((p) => p.paired && p.name.startsWith(value ?? '')).map((p) => p.name);
          } catch {
            return [];
          }
        }),
      },
    },
    async ({ task, peer }) => {
      const target = peer
        ? `Use the machine "${peer}" for the parts that should not run here (and this machine for the rest).`
        : 'Choose which machines take which parts.';
      const text = `${FERRY_GUIDE}

${await snapshot(deps)}

Task: ${task}

${target} Work like this:
1. Call ferry_list_peers, then ferry_peer_status for each machine you mean to use: it must be online, not shutting down, and have room (running commands below its limit).
2. Split the task into parts that can run on their own. Say which machine gets which part, and why (what is installed or stored there, load), before you start.
3. Check what each machine lets you do with a harmless command first (e.g. ferry_execute {peer, argv: ["uname", "-a"]}). scope-denied: that machine's policy says no; "ask": a person there must approve each request, so tell the user now and keep requests few.
4. Run the parts with ferry_execute (with timeoutMs for anything long). To run parts at the same time, make several calls at once; to look at a part later, ferry_list_jobs {peer, status: "running"} and ferry_get_job {peer, id}; stop one with ferry_cancel_job. A part that needs judgement rather than one command (investigate, fix, refactor on that machine) can go to the coding agent there: ferry_dispatch_task {peer, prompt, cwd} (several at once with wait: false, then ferry_wait_for_task on each). When one returns "permission-pending", decide its requests with ferry_decide_task_permission as the user would, then ferry_wait_for_task {taskId, since: nextSince, peer}.
5. Leave state and results where others can find them: ferry_context_set with keys like "task/<short-name>/<machine>" (use ifVersion when several agents write the same key).
6. Finish with what ran where, each exit code (or AI task result), and anything that failed or was refused.`;
      return { description: `Coordinate: ${task.slice(0, 80)}`, messages: [{ role: 'user', content: { type: 'text', text } }] };
    },
  );
}
