import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../deps.js';
import { json, resourceError } from './errors.js';
import { INBOX_URI } from './uris.js';

/** The resource shows this many unread messages, newest first (ferry_check_inbox pages further). */
const LISTED_MESSAGES = 100;

/** The messages paired machines sent here that nobody acknowledged yet. */
export function registerInboxResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'inbox',
    INBOX_URI,
    {
      title: 'Ferry inbox (unread messages)',
      description:
        'Messages paired machines sent to this one and nobody acknowledged yet, newest first (at most 100): sender, ' +
        'type, body, thread, seq. Subscribers are told when a message arrives, when one expires unread, and when ' +
        'this session acknowledges one (ferry_ack_message).',
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        return json(uri.href, await deps.client().inbox({ unacked: true, limit: LISTED_MESSAGES }));
      } catch (err) {
        throw resourceError(err, deps, INBOX_URI);
      }
    },
  );
}
