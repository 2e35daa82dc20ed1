import { FerryError } from '../../server/client/index.js';
import type { McpLog } from '../deps.js';
import type { ToolErrorInfo } from './output.js';

/** What an agent should do next, per stable code. Codes without a hint speak for themselves. */
const HINTS: Record<string, string> = {
  'daemon-unreachable': 'The Ferry daemon is not running (or not at the address in its data dir). Start it with `ferry start`, then retry.',
  'not-initialized': 'This machine has no Ferry data dir yet. Run `ferry start` (or `ferry init`), then retry.',
  'token-unreadable': "Run the MCP server as the user that owns the daemon's data dir.",
  'unauthorized': 'The admin token in the data dir was not accepted; if it was just rotated, retry.',
  'version-conflict': 'Someone else changed the key. Read it again with ferry_context_get and retry with its current version as ifVersion.',
  'key-not-found': 'Use ferry_context_list (with the same peer, if any) to see which keys exist.',
  'ai-task-not-found': 'Use ferry_list_tasks (with the same peer, if any); a peer shows only the tasks this machine dispatched there.',
  'ai-task-not-running': 'The task already ended; ferry_task_status shows its result.',
  'agent-not-installed': 'That machine has no such agent CLI: try another agent or machine, or ask the user to install it (or set aiTasks.commands.<agent> there).',
  'too-many-ai-tasks': 'The AI task queue is full; wait for some to end (ferry_list_tasks) and retry.',
  'permission-not-found': 'ferry_task_status {taskId} lists the task\'s permission requests and their ids.',
  'permission-already-decided': 'It was decided, expired or its task ended (ferry_task_status shows which); continue with ferry_wait_for_task.',
  'job-not-found': 'Use ferry_list_jobs (with the same peer, if any) to see recent job ids; a peer shows only the jobs this machine started there.',
  'job-not-running': 'The job already ended; ferry_get_job shows its result.',
  'command-not-found': 'Check the program name and that it is on the daemon\'s PATH, or pass `shell` to use /bin/sh.',
  'cwd-not-found': 'The working directory does not exist on the machine that runs the command.',
  'too-many-jobs': 'Too many commands are running. Wait for some to end (ferry_list_jobs) and retry.',
  'rate-limited': 'Slow down and retry in a few seconds.',
  'draining': 'The daemon is shutting down; retry once it is back (`ferry start`).',
  'value-too-large': 'Store a smaller value, or a path/reference to the data instead of the data itself.',
  'context-full': 'Delete keys you no longer need (ferry_context_delete), or set ttlSeconds on temporary ones.',
  'peer-not-found': 'No paired machine has that name. ferry_list_peers shows the names to use; pairing a new machine is done by a person (`ferry pair`).',
  'peer-unreachable': "The peer does not answer (its daemon is stopped, or the network is down). ferry_list_peers shows whether it is online; try another machine or ask the user.",
  'peer-identity-mismatch': 'The machine answering at that address is not the one that was paired. Do not retry; tell the user (it must be unpaired and paired again if it was reinstalled).',
  'peer-not-paired': 'That machine no longer knows this one (it unpaired it). A person must pair them again (`ferry pair`).',
  'scope-denied':
    "The machine that was asked refused: its policy for this machine does not allow this, or nobody approved it in time (\"ask\" waits for a person there). Do not retry in a loop: tell the user what you wanted to run and where, so they can approve it there (`ferry approvals`) or change the policy.",
  'approval-not-found': 'ferry_list_approvals shows the pending approvals and their ids.',
  'approval-already-decided': 'It was decided already, or it expired: ferry_list_approvals with status "all" shows what happened.',
  'route-not-found': 'The peer does not offer this (it may run an older Ferry). ferry_peer_status shows its version.',
  'path-not-found':
    'The path does not exist on the machine that reads it (for push: this one; for pull and listings: the peer), or the destination\'s parent directory is missing (pass parents: true). ferry_list_remote_files shows what a directory holds.',
  'path-invalid': 'Paths must be absolute (or start with ~/), and Ferry never follows a symlink at the end of a path: name the path it points to.',
  'path-denied': "That path is inside the Ferry daemon's own data dir on that machine, which is never reachable through Ferry. Choose another path.",
  'not-a-directory': 'A part of the path is a file, not a directory.',
  'not-a-file': 'Only regular files and directories can be copied (not devices, sockets or FIFOs).',
  'destination-exists': 'Something is already there. Pass force: true to replace it, or choose another destination (an existing directory means "inside it").',
  'hash-mismatch': 'What arrived did not match what was sent (the source changed while it was read): nothing was put in place. Try the same call again.',
  'file-too-large': "Larger than the receiving daemon accepts (its files.maxBytes). Ask the user.",
  'archive-too-large': "The directory is larger than the receiving daemon accepts (its files.maxBytes). Copy a smaller part.",
  'archive-too-many-entries': 'The directory has more entries than the receiving daemon accepts (its files.maxEntries). Copy a smaller part.',
  'archive-source-changed': 'The directory changed while it was being sent. Try again when it is quiet.',
  'transfer-not-found': 'No such transfer on this machine.',
  'message-not-found':
    'No such message here. ferry_check_inbox lists the messages received here (their ids for ferry_ack_message); ferry_message_status takes the id ferry_send_message returned on this machine.',
  'canceled': 'It was cancelled (by this call being cancelled, or by someone else); nothing more happens.',
};

/** Turn anything a tool threw into the error a tool result carries. Never throws. */
export function toErrorInfo(err: unknown, log: McpLog, tool: string): ToolErrorInfo {
  if (err instanceof FerryError) {
    const hint = HINTS[err.code];
    log('tool failed', { tool, code: err.code, status: err.status });
    return {
      code: err.code,
      message: err.message,
      ...(hint ? { hint } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
    };
  }
  // Not a daemon answer: a bug here or in the daemon's output. Say so plainly; the log has the stack.
  log('tool crashed', { tool, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
  return { code: 'internal-error', message: err instanceof Error ? err.message : String(err) };
}

export function errorText(info: ToolErrorInfo): string {
  return `Error [${info.code}]: ${info.message}${info.hint ? `\nHint: ${info.hint}` : ''}`;
}
