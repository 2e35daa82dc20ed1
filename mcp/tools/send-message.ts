import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { JsonValue, MessageType, SendMessage, SentMessage } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { MessageId, recipientsText } from './messages-format.js';
import { PeerName } from './peer.js';

export function registerSendMessageTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_send_message',
    title: 'Send a message to agents on other machines',
    description:
      'Send a message to one paired machine, several, or all of them ("*"): the agents and people there read it ' +
      'with ferry_check_inbox or ferry_wait_for_message. Delivery is store-and-forward: the message is kept here ' +
      'and retried until the peer takes it (a machine that is off gets it when it is back), so it is never lost ' +
      'or duplicated, and it expires if nobody acknowledges it within ttl (default 24 h). Returns the message id ' +
      'and each recipient\'s status (queued, delivered, acknowledged, expired, failed); follow it with ' +
      'ferry_message_status. To answer a message, pass its id as replyTo: the answer joins its thread.',
    input: z.strictObject({
      to: z
        .union([z.literal('*'), PeerName, z.array(PeerName).min(1).max(256)])
        .describe('A paired machine\'s name (from ferry_list_peers), a list of names, or "*" for every paired machine.'),
      type: MessageType.optional().describe('chat (default), request (asks for an answer), response (an answer: give replyTo), broadcast or event.'),
      body: JsonValue.describe('The message: a string for plain text, or any JSON value for structured data.'),
      replyTo: MessageId.optional().describe('The id of the message this answers (it joins that message\'s thread).'),
      ttl: SendMessage.shape.ttl.describe('Seconds until it expires if nobody acknowledged it (default 24 hours).'),
    }),
    output: { message: SentMessage },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run(args, { client }) {
      const message = await client.sendMessage(args);
      const text = `Message ${message.id} (${message.type}${message.replyTo ? `, reply to ${message.replyTo}` : ''}) sent; expires ${message.expiresAt} unless acknowledged.\n${recipientsText(message)}\nFollow it with ferry_message_status {id: "${message.id}"}.`;
      return { text, data: { message } };
    },
  });
}
