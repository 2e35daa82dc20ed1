import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ContextEntry, ContextKey } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { clip, entryLine } from './format.js';
import { at, PeerArg, where } from './peer.js';

export const KeyArg = ContextKey.describe('The context key, e.g. "build/status" (1–512 characters; "/" is allowed).');

export function registerContextGetTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_context_get',
    title: 'Read a shared context value',
    description:
      'Read one key from the Ferry context: a key-value store on this machine\'s Ferry daemon (or, with peer, on a ' +
      'paired machine\'s), shared with the people and agents that use it. Returns the value with its version (pass ' +
      'that version as ifVersion to ferry_context_set for a safe compare-and-set update). Fails with key-not-found ' +
      'if the key does not exist.',
    input: z.strictObject({ key: KeyArg, peer: PeerArg.optional() }),
    output: { entry: ContextEntry },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ key, peer }, { client }) {
      const entry = await at(client, peer).contextGet(key);
      const value = clip(JSON.stringify(entry.value, null, 2), 8000, 'structuredContent.entry.value');
      return { text: `${entryLine(entry)}${where(peer)}:\n${value}`, data: { entry } };
    },
  });
}
