import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDeps } from '../deps.js';
import { errorText, toErrorInfo } from '../tools/errors.js';

export const STATUS_URI = 'ferry://status';

/** The daemon's status as a JSON resource, for clients that attach context rather than call tools. */
export function registerStatusResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'status',
    STATUS_URI,
    {
      title: 'Ferry daemon status',
      description: "This machine's Ferry daemon: node id and name, version, uptime, listen address, running jobs, context size.",
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        const status = await deps.client().status();
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(status, null, 2) }] };
      } catch (err) {
        // Resources have no isError: answer with a JSON-RPC error that still carries the stable code.
        const info = toErrorInfo(err, deps.log, STATUS_URI);
        throw new McpError(ErrorCode.InternalError, errorText(info), { code: info.code });
      }
    },
  );
}
