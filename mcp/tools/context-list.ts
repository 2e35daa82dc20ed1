import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ContextEntry, ContextListQuery, Cursor } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { preview } from './format.js';
import { at, PeerArg, where } from './peer.js';

export function registerContextListTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_context_list',
    title: 'List shared context keys',
    description:
      'List entries of the Ferry context (the key-value store shared through this machine\'s Ferry daemon, or with ' +
      'peer, a paired machine\'s), in key order, optionally only the keys that start with a prefix. Returns one ' +
      'page; when nextCursor is not null, call again with it as cursor for the next page.',
    input: z.strictObject({
      prefix: ContextListQuery.shape.prefix.describe('Only keys that start with this, e.g. "build/".'),
      limit: z.number().int().min(1).max(500).optional().describe('Entries per page (1–500, default set by the daemon).'),
      cursor: Cursor.optional().describe('The nextCursor of the previous page.'),
      peer: PeerArg.optional(),
    }),
    output: { items: z.array(ContextEntry), nextCursor: z.string().nullable() },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ prefix, limit, cursor, peer }, { client }) {
      const page = await at(client, peer).contextList({ prefix, limit, cursor });
      const scope = `${prefix ? ` under "${prefix}"` : ''}${where(peer)}`;
      const lines = page.items.map((e) => `- ${e.key} (v${e.version}): ${preview(e.value)}`);
      const more = page.nextCursor ? `\nMore entries: call again with cursor "${page.nextCursor}".` : '';
      const head = page.items.length === 0 ? `No context entries${scope}.` : `${page.items.length} context entries${scope}:`;
      return { text: [head, ...lines].join('\n') + more, data: { items: page.items, nextCursor: page.nextCursor } };
    },
  });
}
