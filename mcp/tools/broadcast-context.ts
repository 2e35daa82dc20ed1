import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BroadcastResult, ContextBroadcast, JsonValue } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { KeyArg } from './context-get.js';
import { defineTool } from './define.js';
import { PeerName } from './peer.js';

export function registerBroadcastContextTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_broadcast_context',
    title: 'Set a context value on many machines at once',
    description:
      'Write one key of the shared context on every paired machine (or the ones in peers), at once, and on this ' +
      'machine too with includeSelf. Each machine\'s policy for this one decides: the result per machine is ok ' +
      '(with the new version), denied (scope-denied there), offline (it did not answer) or error. Unlike ' +
      'messages, nothing is retried: a machine that was offline does not get the value later. Use it to ' +
      'announce state every machine should see, e.g. "release/version".',
    input: z.strictObject({
      key: KeyArg,
      value: JsonValue.describe('Any JSON value: string, number, boolean, null, array or object.'),
      ttlSeconds: ContextBroadcast.shape.ttlSeconds.describe('Delete the key automatically after this many seconds. Omit to keep it.'),
      peers: z.array(PeerName).min(1).max(256).optional().describe('Only these paired machines (names from ferry_list_peers). Omit for all.'),
      includeSelf: z.boolean().optional().describe('Also set it on this machine.'),
    }),
    output: { key: z.string(), results: z.array(BroadcastResult) },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run(args, { client }) {
      // The daemon checks the value is there (JSON has no undefined); the input schema already did.
      const { key, results } = await client.broadcastContext({ ...args, value: args.value as ContextBroadcast['value'] });
      if (results.length === 0) return { text: `No machine is paired: "${key}" was set nowhere.`, data: { key, results } };
      const ok = results.filter((r) => r.status === 'ok').length;
      const lines = results.map((r) => `- ${r.peer}: ${r.status}${r.version !== null ? ` (version ${r.version})` : ''}${r.error ? ` [${r.error.code}: ${r.error.message}]` : ''}`);
      return { text: `"${key}" set on ${ok} of ${results.length} machines:\n${lines.join('\n')}`, data: { key, results } };
    },
  });
}
