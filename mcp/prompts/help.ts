import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../deps.js';

/** What every Ferry prompt teaches: the tools, and the rules of working on other machines. */
export const FERRY_GUIDE = `Ferry connects the Ferry daemons of machines on this LAN. You talk to the daemon of the machine you run on; it reaches the machines paired with it (its "peers") for you. You never handle keys, tokens or addresses: a peer is named by the name ferry_list_peers shows.

Tools:
- ferry_list_peers: this machine's name ("self") and the paired machines, online or not. Start here.
- ferry_peer_status {peer}: is that machine up, its Ferry version, how many commands it runs out of its limit.
- ferry_execute {argv | shell, cwd?, env?, stdin?, timeoutMs?, peer?}: run a command here or on a peer and wait for it to end. Prefer argv (no shell). A non-zero exit is a result to read (job.exitCode), not a tool error.
- ferry_list_jobs / ferry_get_job / ferry_cancel_job {peer?}: follow commands (yours, or started another way). On a peer you see the jobs this machine started there.
- ferry_context_get / ferry_context_set / ferry_context_list / ferry_context_delete {peer?}: a small shared key-value store on each machine, for state and results other agents and people can read. Use ifVersion for safe updates (version-conflict means someone else wrote first: read again).
- ferry_broadcast_context {key, value, peers?, includeSelf?}: set one key on every paired machine (or some) at once, with a result per machine (ok, denied, offline, error). Nothing is retried.
- ferry_list_remote_files {path, peer?}: list a directory here or on a peer. ferry_transfer_file {direction: push | pull, peer, source, destination, force?, parents?}: copy a file or a whole directory to (push) or from (pull) a peer and wait until it is in place, verified by SHA-256. Paths are absolute or ~/...
- ferry_send_message {to, body, type?, replyTo?}: a message to the agents on other machines, kept and retried until delivered. ferry_check_inbox / ferry_wait_for_message {timeout?, after?}: read the messages sent here, or wait for the next one. ferry_ack_message {id}: mark one handled (its sender sees it in ferry_message_status {id}).
- ferry_list_approvals / ferry_decide_approval: requests peers made to THIS machine that wait for a person's yes or no. Decide only as the user tells you.
- ferry_dispatch_task {prompt, agent?: claude | gemini | codex, cwd?, model?, timeoutSeconds?, peer?, wait?, waitSeconds?}: give a whole task to a coding agent here or on a peer, working with that machine's files. It waits and returns when the task ends, or EARLIER when the agent asks permission to use a tool (outcome "permission-pending"): then you decide with ferry_decide_task_permission {taskId, permissionId, behavior: allow | deny, message?, peer?} and continue with ferry_wait_for_task {taskId, since: nextSince, peer?}. ferry_task_status / ferry_list_tasks / ferry_cancel_task {peer?} look at and stop tasks.

Rules of working on a peer:
- What you may do on a peer is that peer's decision (the policy its owner gave this machine). A refusal is an error with code scope-denied: do not retry it in a loop; tell the user what you wanted to run and where.
- An "ask" policy makes the call wait (about a minute at most) until a person at that machine approves it. Say so to the user ("approve it on <peer> with \`ferry approvals\` or in its admin page") and wait for the call to return; if it ends with scope-denied, nobody approved it in time.
- peer-unreachable: that machine is off or its daemon is stopped. Pick another machine or ask the user; ferry_list_peers shows what is online.
- Long commands: pass timeoutMs so a command cannot hang forever; cancel with ferry_cancel_job (or by cancelling the call). Commands run with the peer's files, PATH and environment, not this machine's: check what is installed there (e.g. ferry_execute {peer, argv: ["which", "make"]}) before relying on it.
- AI tasks: write the prompt as for a colleague who cannot ask you questions (goal, directory, what to report). Allow a tool request only when the task needs it and the user would accept it (ask the user about deleting, pushing, installing or network access); deny with a message saying why or what to do instead. Unanswered requests are denied after a while (10 minutes by default). outcome "still-running" is not a failure: call ferry_wait_for_task again with nextSince.
- Errors carry a stable code and a hint: read the hint.`;

export function registerHelpPrompt(server: McpServer, _deps: ToolDeps): void {
  server.registerPrompt(
    'ferry_help',
    {
      title: 'How to use Ferry',
      description: 'Explains the Ferry tools and how to work on other machines through them (peers, policies, approvals, jobs, AI tasks, shared context).',
    },
    () => ({
      description: 'How to use Ferry',
      messages: [{ role: 'user', content: { type: 'text', text: `${FERRY_GUIDE}\n\nStart with ferry_list_peers to see which machines you can use.` } }],
    }),
  );
}
