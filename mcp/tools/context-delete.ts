import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ContextDeleted } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { KeyArg } from './context-get.js';
import { defineTool } from './define.js';
import { at, PeerArg, where } from './peer.js';

export function registerContextDeleteTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_context_delete',
    title: 'Delete a shared context key',
    description:
      'Delete one key from the Ferry context (the key-value store shared through this machine\'s Ferry daemon, or ' +
      'with peer, a paired machine\'s). Pass ifVersion to delete only if nobody changed the key since you read it ' +
      '(else version-conflict). Fails with key-not-found if the key does not exist.',
    input: z.strictObject({
      key: KeyArg,
      ifVersion: z.number().int().min(0).optional().describe('Delete only if the key is at this version now.'),
      peer: PeerArg.optional(),
    }),
    output: ContextDeleted.shape,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ key, ifVersion, peer }, { client }) {
      const deleted = await at(client, peer).contextDelete(key, ifVersion === undefined ? {} : { ifVersion });
      return { text: `Deleted "${deleted.key}"${where(peer)} (it was at version ${deleted.version}).`, data: deleted };
    },
  });
}
