import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../deps.js';
import { json, resourceError } from './errors.js';
import { STATUS_URI } from './uris.js';

export { STATUS_URI } from './uris.js';

/** The daemon's status as a JSON resource, for clients that attach context rather than call tools. */
export function registerStatusResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'status',
    STATUS_URI,
    {
      title: 'Ferry daemon status',
      description:
        "This machine's Ferry daemon: node id and name, version, uptime, listen address, running jobs, context size. " +
        'Subscribers are told when jobs start or end and when the context changes.',
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        return json(uri.href, await deps.client().status());
      } catch (err) {
        throw resourceError(err, deps, STATUS_URI);
      }
    },
  );
}
