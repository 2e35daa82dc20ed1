import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpHttpHandler, type McpHttpHandler } from '../../mcp/http.js';
import type { Job } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { errorOf, structured } from './connect.js';

const daemon = useDaemon();
let server: http.Server;
let base: string;
let main: McpHttpHandler;
let small: McpHttpHandler;
let parsed: McpHttpHandler;
let idle: McpHttpHandler;
const clients: Client[] = [];

beforeAll(async () => {
  const client = () => daemon().client;
  main = createMcpHttpHandler({ client });
  small = createMcpHttpHandler({ client, maxSessions: 2 });
  parsed = createMcpHttpHandler({ client });
  idle = createMcpHttpHandler({ client, idleTimeoutMs: 100 });
  const app = express();
  // What the daemon does before /mcp (a copy of its bearer rule): only the admin token gets through.
  app.use((req, res, next) => {
    if (req.headers.authorization === `Bearer ${daemon().token}`) return next();
    res.status(401).json({ error: { code: 'unauthorized', message: 'authentication required' } });
  });
  app.all('/mcp', main);
  app.all('/small', small);
  app.all('/parsed', express.json({ limit: '4mb' }), parsed);
  app.all('/idle', idle);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await Promise.all([main, small, parsed, idle].map((h) => h?.close()));
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

function transport(path: string, token: string | null = daemon().token): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(`${base}${path}`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
}

async function connect(path = '/mcp', token?: string | null): Promise<{ mcp: Client; transport: StreamableHTTPClientTransport }> {
  const t = transport(path, token);
  const mcp = new Client({ name: 'ferry-http-test', version: '0.0.0' });
  clients.push(mcp);
  await mcp.connect(t);
  return { mcp, transport: t };
}

const raw = (path: string, init: RequestInit & { headers?: Record<string, string> }) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${daemon().token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...init.headers } });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };

describe('MCP over Streamable HTTP', () => {
  it('serves the SDK client with the token: tools, a context write, and ferry_execute with progress', async () => {
    const { mcp, transport: t } = await connect();
    expect(t.sessionId).toEqual(expect.any(String));
    const { tools } = await mcp.listTools();
    expect(tools.map((x) => x.name)).toContain('ferry_list_peers');
    const set = await mcp.callTool({ name: 'ferry_context_set', arguments: { key: 'http/k', value: 'over http' } });
    expect(set.isError).toBeFalsy();
    expect((await daemon().client.contextGet('http/k')).value).toBe('over http');

    const notes: Progress[] = [];
    const run = await mcp.callTool({ name: 'ferry_execute', arguments: { argv: ['echo', 'http'] } }, undefined, { onprogress: (p) => void notes.push(p) });
    expect(structured<{ job: Job }>(run).job.stdout).toBe('http\n');
    expect(notes[0]?.message).toMatch(/^job \S+ started: echo http$/);
    const error = await mcp.callTool({ name: 'ferry_get_job', arguments: { id: 'no-such-job' } });
    expect(errorOf(error).code).toBe('job-not-found');
  });

  it('is refused without the token (the mount point checks it), and no session is made', async () => {
    const before = main.sessions();
    await expect(connect('/mcp', null)).rejects.toThrow(/401|unauthorized/i);
    await expect(connect('/mcp', 'fy_wrong')).rejects.toThrow(/401|unauthorized/i);
    expect(main.sessions()).toBe(before);
  });

  it('sends resource update notifications to a subscribed HTTP client', async () => {
    const { mcp } = await connect();
    const updates: string[] = [];
    mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await mcp.subscribeResource({ uri: 'ferry://context/http%2Fwatched' });
    await daemon().client.contextPut('http/watched', { value: 1 });
    await waitFor(() => updates.includes('ferry://context/http%2Fwatched'), 10_000, 'the update over HTTP');
  });

  it('works behind a JSON body parser too', async () => {
    const { mcp } = await connect('/parsed');
    const got = await mcp.callTool({ name: 'ferry_context_get', arguments: { key: 'http/k' } });
    expect(structured<{ entry: { value: unknown } }>(got).entry.value).toBe('over http');
  });

  it('bounds the number of sessions, and DELETE frees one', async () => {
    const first = await connect('/small');
    await connect('/small');
    expect(small.sessions()).toBe(2);
    await expect(connect('/small')).rejects.toThrow(/too many MCP sessions/);
    await first.transport.terminateSession();
    await waitFor(() => small.sessions() === 1, 5_000, 'the session to close');
    const third = await connect('/small');
    expect((await third.mcp.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('answers unknown sessions 404, requests without one 400, other methods 405, and bad JSON a parse error', async () => {
    const unknown = await raw('/mcp', { method: 'POST', headers: { 'mcp-session-id': 'no-such-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(unknown.status).toBe(404);
    const noSession = await raw('/mcp', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(noSession.status).toBe(400);
    expect((await raw('/mcp', { method: 'GET' })).status).toBe(400);
    const put = await raw('/mcp', { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    const bad = await raw('/mcp', { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('closes a session nobody uses any more', async () => {
    const res = await raw('/idle', { method: 'POST', body: JSON.stringify(initialize) });
    expect(res.status).toBe(200);
    const sid = res.headers.get('mcp-session-id')!;
    await res.text();
    expect(idle.sessions()).toBe(1);
    await waitFor(() => idle.sessions() === 0, 10_000, 'the idle session to be closed');
    const later = await raw('/idle', { method: 'POST', headers: { 'mcp-session-id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(later.status).toBe(404);
  });

  it('close() ends every session and cancels the jobs of calls still running', async () => {
    const h = createMcpHttpHandler({ client: () => daemon().client });
    const app = express().all('/mcp', h);
    const s = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => s.once('listening', resolve));
    try {
      const mcp = new Client({ name: 'ferry-http-close', version: '0.0.0' });
      clients.push(mcp);
      await mcp.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/mcp`)));
      let id: string | undefined;
      const pending = mcp.callTool({ name: 'ferry_execute', arguments: { argv: ['sleep', '60'] } }, undefined, {
        onprogress: (p) => void (id ??= /^job (\S+) started/.exec(p.message ?? '')?.[1]),
      });
      pending.catch(() => undefined);
      await waitFor(() => id !== undefined, 10_000, 'the job to start');
      await h.close();
      expect(h.sessions()).toBe(0);
      let final: Job | undefined;
      for await (const item of daemon().client.jobStream(id!)) if (item.type === 'exit') final = item.job;
      expect(final?.status).toBe('canceled');
      await expect(mcp.listTools()).rejects.toThrow();
    } finally {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
});
