import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FerryClient } from '../server/client/index.js';
import type { McpLog } from './deps.js';
import { silentLog } from './log.js';
import { createFerryMcpServer, whenIdle } from './server.js';

export interface McpHttpOptions {
  /** The daemon's own API, as the admin: called per tool call, so a rotated token is picked up. */
  client: () => FerryClient;
  log?: McpLog;
  /** Open sessions at most (default 32). An agent that never says goodbye holds one until it idles out. */
  maxSessions?: number;
  /** A session with no request for this long and no open stream is closed (default 30 minutes). */
  idleTimeoutMs?: number;
  /** Request bodies the handler reads itself (when no body parser ran first) are capped at this (default 4 MiB). */
  maxBodyBytes?: number;
}

/** An Express-compatible handler for POST/GET/DELETE /mcp, plus what the daemon needs to manage it. */
export interface McpHttpHandler {
  (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
  /** Close every session (cancelling the jobs of calls in flight) and refuse new ones. */
  close(): Promise<void>;
  /** Open sessions now. */
  sessions(): number;
}

interface Session {
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
  /** Requests (and GET streams) still open: a session with one is never idle. */
  open: number;
}

const SESSION_HEADER = 'mcp-session-id';

/**
 * MCP over Streamable HTTP, for the daemon to mount at /mcp AFTER its own Host check and auth:
 * this handler trusts every request it is given. Stateful: each client gets a session (its own
 * McpServer, so resource subscriptions and progress reach the right client), named by the
 * `Mcp-Session-Id` header the SDK manages. Sessions are bounded in number, closed when idle, on
 * DELETE, and all at once by close().
 */
export function createMcpHttpHandler(opts: McpHttpOptions): McpHttpHandler {
  const log = opts.log ?? silentLog;
  const maxSessions = opts.maxSessions ?? 32;
  const idleMs = opts.idleTimeoutMs ?? 30 * 60_000;
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const sessions = new Map<string, Session>();
  let starting = 0;
  let closing = false;

  const end = async (id: string, why: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    log('mcp session closed', { session: id.slice(0, 8), reason: why });
    await s.server.close().catch(() => undefined);
    await whenIdle(s.server);
  };
  const sweep = () => {
    const cutoff = Date.now() - idleMs;
    for (const [id, s] of sessions) if (s.open === 0 && s.lastSeen < cutoff) void end(id, 'idle');
  };
  const sweeper = setInterval(sweep, Math.min(idleMs, 60_000));
  sweeper.unref();

  const handler = (async (req, res) => {
    if (closing) return rpcError(res, 503, -32000, 'the Ferry daemon is shutting down');
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      res.setHeader('allow', 'GET, POST, DELETE');
      return rpcError(res, 405, -32000, `${req.method} is not allowed on the MCP endpoint`);
    }
    const sid = req.headers[SESSION_HEADER];
    if (typeof sid === 'string') {
      const s = sessions.get(sid);
      // 404 tells a client its session is gone (idled out, daemon restarted): it starts a new one.
      if (!s) return rpcError(res, 404, -32001, 'session not found: initialize a new one');
      return serve(s, req, res, req.method === 'POST' ? await bodyOf(req, res, maxBody) : undefined);
    }
    if (req.method !== 'POST') return rpcError(res, 400, -32000, `${req.method} needs the ${SESSION_HEADER} header of an initialized session`);
    const body = await bodyOf(req, res, maxBody);
    if (body === undefined) return;
    if (!isInitializeRequest(body)) return rpcError(res, 400, -32000, `no session: send initialize first (or the ${SESSION_HEADER} header)`);
    sweep();
    if (sessions.size + starting >= maxSessions) {
      log('mcp session refused', { reason: 'too many sessions', max: maxSessions });
      return rpcError(res, 503, -32000, `too many MCP sessions (${maxSessions}): close agents you no longer use, or wait for idle sessions to expire`);
    }
    // Counted from now, so concurrent initializes cannot overshoot the bound; uncounted once it is in `sessions`.
    starting++;
    let counted = true;
    const release = () => {
      if (counted) starting--;
      counted = false;
    };
    const server = createFerryMcpServer({ client: opts.client, log });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        release();
        sessions.set(id, session);
        log('mcp session opened', { session: id.slice(0, 8) });
      },
    });
    const session: Session = { server, transport, lastSeen: Date.now(), open: 0 };
    transport.onclose = () => {
      if (transport.sessionId) void end(transport.sessionId, 'closed');
    };
    try {
      await server.connect(transport);
      await serve(session, req, res, body);
    } finally {
      release();
      // An initialize that failed never got a session id: nothing else will close its server.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) await server.close().catch(() => undefined);
    }
  }) as McpHttpHandler;

  handler.sessions = () => sessions.size;
  handler.close = async () => {
    closing = true;
    clearInterval(sweeper);
    await Promise.all([...sessions.keys()].map((id) => end(id, 'shutdown')));
  };
  return handler;
}

async function serve(s: Session, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  if (req.method === 'POST' && body === undefined) return;
  s.lastSeen = Date.now();
  s.open++;
  res.once('close', () => {
    s.open--;
    s.lastSeen = Date.now();
  });
  await s.transport.handleRequest(req, res, body);
}

/** The parsed JSON body: the one a body parser left on req.body, else read here (bounded). Undefined once answered with an error. */
async function bodyOf(req: IncomingMessage & { body?: unknown }, res: ServerResponse, max: number): Promise<unknown> {
  if (req.body !== undefined) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      rpcError(res, 413, -32000, `request body larger than ${max} bytes`);
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    rpcError(res, 400, -32700, 'parse error: the body is not JSON');
    return undefined;
  }
}

/** Errors in the JSON-RPC shape MCP clients expect from this endpoint (not the REST API's envelope). */
function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return void res.end();
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
