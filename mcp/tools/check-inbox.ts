import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ReceivedMessage } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { MessageId, receivedListText } from './messages-format.js';
import { PeerName } from './peer.js';

export function registerCheckInboxTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_check_inbox',
    title: 'Read the messages other machines sent here',
    description:
      'List the messages paired machines sent to this one, newest first: sender (as its certificate proves, never ' +
      'what it claims), type, body, thread, and status (unread, acknowledged, expired). unacked: true lists only ' +
      'those nobody acknowledged yet. Reading does not acknowledge: once you have handled a message, call ' +
      'ferry_ack_message so the sender knows. To wait for the next message instead of polling, use ferry_wait_for_message.',
    input: z.strictObject({
      unacked: z.boolean().optional().describe('Only messages not acknowledged yet (unread).'),
      from: PeerName.optional().describe('Only messages from this machine (its name from ferry_list_peers).'),
      thread: MessageId.optional().describe('Only this conversation: the id of the message that started it.'),
      limit: z.number().int().min(1).max(500).optional().describe('At most this many (1–500, default 100).'),
    }),
    output: { items: z.array(ReceivedMessage) },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ unacked, from, thread, limit }, { client }) {
      const { items } = await client.inbox({ unacked, from, thread, limit });
      const head = items.length === 0 ? `No${unacked ? ' unread' : ''} messages.` : `${items.length}${unacked ? ' unread' : ''} messages, newest first:`;
      return { text: items.length === 0 ? head : `${head}\n${receivedListText(items)}`, data: { items } };
    },
  });
}
