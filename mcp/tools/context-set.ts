import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ContextEntry, ContextPut } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { KeyArg } from './context-get.js';
import { defineTool } from './define.js';
import { entryLine } from './format.js';
import { at, PeerArg, where } from './peer.js';

export function registerContextSetTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_context_set',
    title: 'Write a shared context value',
    description:
      'Create or replace one key in the Ferry context (the key-value store shared through this machine\'s Ferry ' +
      'daemon, or with peer, a paired machine\'s). Use it to leave state, notes or results for other agents and ' +
      'people. Every write makes a new version. To avoid overwriting someone else\'s change, pass ifVersion: the ' +
      'version you read (0 = only create, fail if the key exists); a mismatch fails with version-conflict and ' +
      'changes nothing.',
    input: z.strictObject({
      key: KeyArg,
      value: ContextPut.shape.value.describe('Any JSON value: string, number, boolean, null, array or object.'),
      ttlSeconds: ContextPut.shape.ttlSeconds.describe('Delete the key automatically after this many seconds. Omit to keep it.'),
      ifVersion: ContextPut.shape.ifVersion.describe(
        'Compare-and-set: write only if the key is at this version now (0 = only if it does not exist yet).',
      ),
      peer: PeerArg.optional(),
    }),
    output: { entry: ContextEntry },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run({ key, value, ttlSeconds, ifVersion, peer }, { client }) {
      const entry = await at(client, peer).contextPut(key, { value, ttlSeconds, ifVersion });
      const verb = entry.version === 1 ? 'Created' : 'Updated';
      return { text: `${verb} ${entryLine(entry)}${where(peer)}.`, data: { entry } };
    },
  });
}
