/**
 * Ferry's permission server for an AI task's agent (stdio MCP, one tool). The daemon writes it
 * into the agent's MCP config for one task, with that task's token in its environment (a 0600
 * file, never a command line); Claude Code calls its tool through `--permission-prompt-tool`
 * before using a tool that needs permission. The tool asks the daemon, which holds the request
 * until the dispatcher or a person on this machine allows or denies it, and answers in the shape
 * Claude Code expects: `{"behavior":"allow","updatedInput":…}` or `{"behavior":"deny","message":…}`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { API_PREFIX, TASK_TOKEN_HEADER, type PermissionAnswer } from '../server/protocol/index.js';
import { PERMISSION_TOOL } from '../server/ai-tasks/agents.js';
import { VERSION } from '../server/version.js';

const url = process.env.FERRY_TASK_URL;
const taskId = process.env.FERRY_TASK_ID;
const token = process.env.FERRY_TASK_TOKEN;
// Nothing this process starts needs it.
delete process.env.FERRY_TASK_TOKEN;

if (!url || !taskId || !token) {
  process.stderr.write('ferry permission server: FERRY_TASK_URL, FERRY_TASK_ID and FERRY_TASK_TOKEN must be set (the daemon sets them for each AI task)\n');
  process.exit(2);
}

async function ask(tool: string, input: Record<string, unknown>, toolUseId: string | undefined, signal: AbortSignal): Promise<PermissionAnswer> {
  try {
    const res = await fetch(`${url}${API_PREFIX}/ai-tasks/${encodeURIComponent(taskId!)}/permission-prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TASK_TOKEN_HEADER]: token! },
      body: JSON.stringify({ tool, input, ...(toolUseId ? { toolUseId } : {}) }),
      signal,
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      return { behavior: 'deny', message: `Ferry could not ask for permission (HTTP ${res.status}): ${text.slice(0, 300)}` };
    }
    return (await res.json()) as PermissionAnswer;
  } catch (err) {
    return { behavior: 'deny', message: `Ferry could not ask for permission: ${err instanceof Error ? err.message : String(err)}` };
  }
}

const server = new McpServer({ name: 'ferry-task-permissions', version: VERSION });
server.registerTool(
  PERMISSION_TOOL,
  {
    title: 'Ask Ferry for permission',
    description: 'Asks the person who dispatched this Ferry AI task to allow or deny a tool use.',
    inputSchema: {
      tool_name: z.string().min(1).max(200),
      input: z.record(z.string(), z.unknown()),
      tool_use_id: z.string().max(200).optional(),
    },
  },
  async (args, extra) => {
    const answer = await ask(args.tool_name, args.input, args.tool_use_id, extra.signal);
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  },
);

const transport = new StdioServerTransport();
process.stdin.once('end', () => void server.close());
await server.connect(transport);
