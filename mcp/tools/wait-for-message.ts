import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import { ReceivedMessage } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { progressFor } from '../progress.js';
import { defineTool, type ToolExtra } from './define.js';
import { receivedListText } from './messages-format.js';

const DEFAULT_TIMEOUT_S = 30;
/**
 * Each request to the daemon waits at most this long: far below the HTTP client's own 300 s limit
 * on waiting for an answer, so a long wait is a few short ones with the same `after`.
 */
const SLICE_S = 60;
/** While waiting, a progress note this often: clients that reset their timeout on progress keep waiting. */
const HEARTBEAT_MS = 15_000;

export function registerWaitForMessageTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_wait_for_message',
    title: 'Wait for the next message',
    description:
      'Block until a paired machine sends this one a message (or timeout seconds pass, then items is empty), and ' +
      'return the unread messages after `after` (oldest first) with seq, the inbox position to pass as after next ' +
      'time. Unread messages already there come back at once. The loop for an agent that serves requests: ' +
      'ferry_wait_for_message → handle each message (answer with ferry_send_message {to: its sender, replyTo: its ' +
      'id, type: "response"}) → ferry_ack_message {id} → ferry_wait_for_message {after: seq} again. An empty result ' +
      'is not an error: wait again. Cancelling the call stops the wait. Keep timeout below your client\'s tool-call ' +
      'timeout (progress notes are sent every 15 s to clients that asked for them).',
    input: z.strictObject({
      timeout: z.number().int().min(0).max(300).optional().describe(`Seconds to wait at most (0–300, default ${DEFAULT_TIMEOUT_S}); 0 only looks.`),
      after: z.number().int().min(0).optional().describe('Only messages after this inbox position: the seq of the previous result.'),
    }),
    output: {
      items: z.array(ReceivedMessage),
      seq: z.number().int().describe('The inbox position of the newest message returned (or the after given): pass it as after next time.'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ timeout = DEFAULT_TIMEOUT_S, after }, { client, extra }) {
      const items = await waitSliced(client, timeout, after, extra);
      const seq = items.reduce((max, m) => Math.max(max, m.seq), after ?? 0);
      if (items.length === 0) {
        return { text: `No message within ${timeout} s. Wait again with after: ${seq}.`, data: { items, seq } };
      }
      const text = `${items.length} message(s), oldest first:\n${receivedListText(items)}\n\nAcknowledge each with ferry_ack_message once handled; then wait again with after: ${seq}.`;
      return { text, data: { items, seq } };
    },
  });
}

async function waitSliced(client: FerryClient, timeoutS: number, after: number | undefined, extra: ToolExtra): Promise<ReceivedMessage[]> {
  const progress = progressFor(extra);
  const started = Date.now();
  const deadline = started + timeoutS * 1000;
  // A first note at once: the caller sees the call is waiting (not stuck), and for how long at most.
  void progress.report(0, `waiting for a message (up to ${timeoutS} s)`, { force: true, total: timeoutS });
  const beat = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    void progress.report(s, `waiting for a message (${s} of ${timeoutS} s)`, { total: timeoutS });
  }, HEARTBEAT_MS);
  try {
    for (;;) {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      const { items } = await client.waitForMessages({ timeout: Math.min(left, SLICE_S), after, signal: extra.signal });
      // Also empty: a message that arrived and was acknowledged by someone else before we read it.
      if (items.length > 0 || Date.now() >= deadline || left === 0) return items;
    }
  } catch (err) {
    if (extra.signal.aborted) throw new FerryError(0, 'canceled', 'the wait was cancelled');
    throw err;
  } finally {
    clearInterval(beat);
  }
}
