import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../helpers/daemon.js';

/** The daemon's own /mcp endpoint (Streamable HTTP), behind its Host check and bearer token. */
describe('MCP over HTTP at the daemon', () => {
  const daemon = useDaemon();

  async function connect(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'ferry-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${daemon().url}/mcp`), { requestInit: { headers } }));
    return client;
  }

  it('refuses a client without the token, or with a wrong one', async () => {
    await expect(connect({})).rejects.toThrow(/401|unauthorized/i);
    await expect(connect({ authorization: 'Bearer fy_wrong' })).rejects.toThrow(/401|unauthorized/i);
  });

  it('serves the tools with the token, and they act on this daemon', async () => {
    const client = await connect({ authorization: `Bearer ${daemon().token}` });
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['ferry_execute', 'ferry_context_set', 'ferry_list_peers']));
      const set = await client.callTool({ name: 'ferry_context_set', arguments: { key: 'via/mcp-http', value: { ok: true } } });
      expect(set.isError).toBeFalsy();
      expect((await daemon().client.contextGet('via/mcp-http')).value).toEqual({ ok: true });
      const run = await client.callTool({ name: 'ferry_execute', arguments: { argv: ['echo', 'over http'] } });
      expect(JSON.stringify(run.structuredContent)).toContain('over http');
    } finally {
      await client.close();
    }
  });

  it('refuses a browser session cookie and a foreign Origin', async () => {
    const login = await fetch(`${daemon().url}/api/v1/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: daemon().token }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '0' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const withCookie = await fetch(`${daemon().url}/mcp`, { method: 'POST', headers: { ...headers, cookie, 'x-ferry-csrf': csrfToken }, body });
    expect(withCookie.status).toBe(401);
    const foreign = await fetch(`${daemon().url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${daemon().token}`, origin: 'http://evil.example' }, body });
    expect(foreign.status).toBe(403);
  });
});
