import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { SentMessage } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { MessageId, recipientsText } from './messages-format.js';

export function registerMessageStatusTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_message_status',
    title: 'See whether a sent message arrived',
    description:
      'The state of a message this machine sent, per recipient: queued (kept here, retried until the peer takes ' +
      'it; attempts and the last reason show why it waits), delivered (in the peer\'s inbox), acknowledged (an ' +
      'agent or person there marked it handled), expired (nobody acknowledged it within its ttl) or failed (the ' +
      'peer refused it for good, e.g. its policy does not accept messages from this machine; see reason).',
    input: z.strictObject({ id: MessageId.describe('The id ferry_send_message returned.') }),
    output: { message: SentMessage },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ id }, { client }) {
      const message = await client.sentMessage(id);
      return { text: `Message ${message.id} (${message.type}, sent ${message.createdAt}, expires ${message.expiresAt}):\n${recipientsText(message)}`, data: { message } };
    },
  });
}
