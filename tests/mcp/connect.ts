import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createFerryMcpServer, whenIdle, type FerryMcpDeps } from '../../mcp/server.js';

export interface Connected {
  mcp: Client;
  server: McpServer;
  logs: { msg: string; fields?: object }[];
  close(): Promise<void>;
}

/** The real SDK client talking to createFerryMcpServer over a linked in-memory transport pair. */
export async function connectMcp(client: FerryMcpDeps['client']): Promise<Connected> {
  const logs: Connected['logs'] = [];
  const server = createFerryMcpServer({ client, log: (msg, fields) => logs.push({ msg, fields }) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  // The server listens first: the client's connect() sends `initialize` and waits for the answer.
  await server.connect(serverSide);
  const mcp = new Client({ name: 'ferry-tests', version: '0.0.0' });
  await mcp.connect(clientSide);
  // listTools() lets the client cache each tool's output validator, as real agents do.
  await mcp.listTools();
  return {
    mcp,
    server,
    logs,
    async close() {
      await mcp.close();
      await server.close();
      await whenIdle(server);
    },
  };
}

export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function structured<T = Record<string, unknown>>(result: unknown): T {
  return (result as CallToolResult).structuredContent as T;
}

export function errorOf(result: unknown): { code: string; message: string; hint?: string } {
  const r = result as CallToolResult;
  if (!r.isError) throw new Error(`expected an error result, got: ${textOf(r)}`);
  return (r.structuredContent as { error: { code: string; message: string; hint?: string } }).error;
}
