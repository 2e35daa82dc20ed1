import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ReceivedMessage } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { MessageId } from './messages-format.js';

export function registerAckMessageTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_ack_message',
    title: 'Mark a received message as handled',
    description:
      'Acknowledge a message this machine received (from ferry_check_inbox or ferry_wait_for_message) once you ' +
      'have handled it: it leaves the unread messages, and its sender is told (ferry_message_status there shows ' +
      'acknowledged). Acknowledging again changes nothing; an expired message stays expired.',
    input: z.strictObject({ id: MessageId.describe('The id of the received message.') }),
    output: { message: ReceivedMessage },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ id }, { client }) {
      const message = await client.ackMessage(id);
      // ferry://inbox subscribers hear of it from the daemon's message.acked event (whoever acknowledged).
      const state = message.status === 'acknowledged' ? `acknowledged at ${message.acknowledgedAt}; ${message.from.name} will be told` : `is ${message.status}: nothing changed`;
      return { text: `Message ${message.id} from ${message.from.name} ${state}.`, data: { message } };
    },
  });
}
