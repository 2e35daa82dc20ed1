import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FerryMcpDeps, ToolDeps } from './deps.js';
import { silentLog } from './log.js';
import { registerCoordinatePrompt } from './prompts/coordinate.js';
import { registerHelpPrompt } from './prompts/help.js';
import { registerContextResource } from './resources/context.js';
import { registerInboxResource } from './resources/inbox.js';
import { registerPeersResource } from './resources/peers.js';
import { registerStatusResource } from './resources/status.js';
import { registerResourceUpdates, type ResourceUpdates } from './resources/updates.js';
import { registerAckMessageTool } from './tools/ack-message.js';
import { registerBroadcastContextTool } from './tools/broadcast-context.js';
import { registerCancelJobTool } from './tools/cancel-job.js';
import { registerCancelTaskTool } from './tools/cancel-task.js';
import { registerCheckInboxTool } from './tools/check-inbox.js';
import { registerContextDeleteTool } from './tools/context-delete.js';
import { registerContextGetTool } from './tools/context-get.js';
import { registerContextListTool } from './tools/context-list.js';
import { registerContextSetTool } from './tools/context-set.js';
import { registerDecideApprovalTool } from './tools/decide-approval.js';
import { registerDecideTaskPermissionTool } from './tools/decide-task-permission.js';
import { registerDispatchTaskTool } from './tools/dispatch-task.js';
import { registerExecuteTool } from './tools/execute.js';
import { registerGetJobTool } from './tools/get-job.js';
import { registerListApprovalsTool } from './tools/list-approvals.js';
import { registerListFilesTool } from './tools/list-files.js';
import { registerListJobsTool } from './tools/list-jobs.js';
import { registerListPeersTool } from './tools/list-peers.js';
import { registerListTasksTool } from './tools/list-tasks.js';
import { registerMessageStatusTool } from './tools/message-status.js';
import { registerPeerStatusTool } from './tools/peer-status.js';
import { registerSendMessageTool } from './tools/send-message.js';
import { registerTaskStatusTool } from './tools/task-status.js';
import { registerTransferFileTool } from './tools/transfer-file.js';
import { registerWaitForMessageTool } from './tools/wait-for-message.js';
import { registerWaitForTaskTool } from './tools/wait-for-task.js';
import { VERSION } from './version.js';

export type { FerryMcpDeps } from './deps.js';

/** Every tool, in the order tools/list shows them. New capabilities add a file and a line here. */
const TOOLS = [
  registerListPeersTool,
  registerPeerStatusTool,
  registerContextGetTool,
  registerContextSetTool,
  registerContextListTool,
  registerContextDeleteTool,
  registerBroadcastContextTool,
  registerExecuteTool,
  registerListJobsTool,
  registerGetJobTool,
  registerCancelJobTool,
  registerListApprovalsTool,
  registerDecideApprovalTool,
  registerListFilesTool,
  registerTransferFileTool,
  registerSendMessageTool,
  registerCheckInboxTool,
  registerWaitForMessageTool,
  registerAckMessageTool,
  registerMessageStatusTool,
  registerDispatchTaskTool,
  registerWaitForTaskTool,
  registerTaskStatusTool,
  registerListTasksTool,
  registerCancelTaskTool,
  registerDecideTaskPermissionTool,
];
const RESOURCES = [registerStatusResource, registerPeersResource, registerInboxResource, registerContextResource];
const PROMPTS = [registerHelpPrompt, registerCoordinatePrompt];

const INSTRUCTIONS =
  'Ferry connects you to this machine\'s Ferry daemon and, through it, to the machines paired with it (peers). ' +
  'ferry_list_peers names them; every tool that acts on a machine takes an optional peer (a name, never a key). ' +
  'ferry_execute runs a command and returns its output; ferry_list_jobs / ferry_get_job / ferry_cancel_job follow ' +
  'jobs. ferry_context_* read and write a key-value store shared with other agents and people (use ifVersion for ' +
  'safe updates; ferry_broadcast_context sets a key on every peer at once). ferry_list_remote_files and ' +
  'ferry_transfer_file look at and copy files and directories between machines. ferry_send_message, ' +
  'ferry_check_inbox, ferry_wait_for_message, ferry_ack_message and ferry_message_status exchange messages with ' +
  'the agents on other machines (never lost: kept and retried until delivered). ferry_dispatch_task hands a ' +
  'prompt to Claude Code, Gemini CLI or Codex CLI on a machine and waits; when its agent asks for a tool ' +
  'permission the call returns so you can decide with ferry_decide_task_permission, then ferry_wait_for_task. ' +
  'A peer decides what this machine ' +
  'may do there: scope-denied is a no, and an "ask" policy waits for a person there to approve. Failed calls carry ' +
  'a stable error code and a hint. The ferry_coordinate prompt explains how to split work across machines.';

const inflight = new WeakMap<McpServer, Set<Promise<unknown>>>();

/**
 * The Ferry MCP server, not yet connected to a transport (stdio, Streamable HTTP or in-memory).
 * It holds no secrets itself: it reaches the daemon only through the client it is given.
 */
export function createFerryMcpServer(deps: FerryMcpDeps): McpServer {
  const server = new McpServer({ name: 'ferry', title: 'Ferry', version: VERSION }, { instructions: INSTRUCTIONS });
  const pending = new Set<Promise<unknown>>();
  inflight.set(server, pending);
  const source = deps.client;
  const toolDeps: ToolDeps = {
    client: typeof source === 'function' ? source : () => source,
    log: deps.log ?? silentLog,
    track(work) {
      pending.add(work);
      void work.finally(() => pending.delete(work)).catch(() => undefined);
      return work;
    },
  };
  for (const register of TOOLS) register(server, toolDeps);
  for (const register of RESOURCES) register(server, toolDeps);
  for (const register of PROMPTS) register(server, toolDeps);
  const following: ResourceUpdates = registerResourceUpdates(server, toolDeps);
  // However the connection ends (close(), the transport dropping), stop following the daemon's events.
  const close = server.close.bind(server);
  server.close = async () => {
    following.close();
    await close();
  };
  server.server.onclose = () => following.close();
  return server;
}

/**
 * Resolves once every tool call in flight has finished, including the job cancels that closing
 * the connection triggers. Call after `server.close()` and before exiting the process.
 */
export async function whenIdle(server: McpServer): Promise<void> {
  const pending = inflight.get(server);
  while (pending && pending.size > 0) await Promise.allSettled([...pending]);
}
