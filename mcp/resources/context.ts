import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDeps } from '../deps.js';
import { json, resourceError } from './errors.js';
import { CONTEXT_TEMPLATE, contextUri, parseResourceUri } from './uris.js';

/** resources/list shows this many keys (the first page, in key order); the rest are reachable by URI. */
const LISTED_KEYS = 100;
const COMPLETIONS = 20;

/** Every context key as a resource: its entry (value, version, timestamps) as JSON. */
export function registerContextResource(server: McpServer, deps: ToolDeps): void {
  const template = new ResourceTemplate(CONTEXT_TEMPLATE, {
    list: async () => {
      try {
        const page = await deps.client().contextList({ limit: LISTED_KEYS });
        return { resources: page.items.map((e) => ({ uri: contextUri(e.key), name: e.key, title: `Context: ${e.key}`, mimeType: 'application/json' })) };
      } catch (err) {
        // A listing must not fail because the daemon is down: the fixed resources are still worth showing.
        deps.log('context resources not listed', { code: (err as { code?: unknown }).code });
        return { resources: [] };
      }
    },
    complete: {
      key: async (value) => {
        try {
          const page = await deps.client().contextList({ prefix: value || undefined, limit: COMPLETIONS });
          return page.items.map((e) => e.key);
        } catch {
          return [];
        }
      },
    },
  });
  server.registerResource(
    'context',
    template,
    {
      title: 'Ferry context entry',
      description:
        'One key of the shared Ferry context on this machine, as JSON (key, value, version, who updated it when, ' +
        'expiry). The key is percent-encoded as one path segment: "build/status" is ferry://context/build%2Fstatus. ' +
        'Subscribers are told whenever the key is written, deleted or expires.',
      mimeType: 'application/json',
    },
    async (uri) => {
      const parsed = parseResourceUri(uri.href);
      if (parsed?.kind !== 'context') throw new McpError(ErrorCode.InvalidParams, `${uri.href} does not name a valid context key`);
      try {
        return json(uri.href, await deps.client().contextGet(parsed.key));
      } catch (err) {
        throw resourceError(err, deps, uri.href);
      }
    },
  );
}
