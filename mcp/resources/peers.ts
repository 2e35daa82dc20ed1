import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../deps.js';
import { json, resourceError } from './errors.js';
import { PEERS_URI } from './uris.js';

/** The machines this one knows (paired and found), as the daemon lists them. */
export function registerPeersResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'peers',
    PEERS_URI,
    {
      title: 'Ferry peers',
      description:
        'The machines paired with this one (name, online state, last seen, the policy this machine grants each) and ' +
        'machines found on the network but not paired. Subscribers are told when a peer comes online, goes offline, ' +
        'is paired, renamed, re-granted or removed.',
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        return json(uri.href, await deps.client().peers());
      } catch (err) {
        throw resourceError(err, deps, PEERS_URI);
      }
    },
  );
}
