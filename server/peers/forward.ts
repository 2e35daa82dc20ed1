import type http from 'node:http';
import { Router, type Request } from 'express';
import { ApiError } from '../http/errors.js';
import { API_PREFIX } from '../protocol/index.js';
import { PeerLinkError, type PeerClient } from './client.js';
import type { PeerService } from './service.js';

/** Capabilities a peer can be asked for. Everything else (pairing, policy, approvals, keys, audit) is local only. */
const FORWARDED = new Set(['status', 'identity', 'context', 'exec', 'jobs', 'files', 'ai-tasks']);
/** Response headers worth passing back; hop-by-hop and the peer's own security headers are not. */
const PASS_HEADERS = ['content-type', 'retry-after', 'cache-control', 'x-accel-buffering', 'location', 'content-range', 'trailer', 'x-ferry-size', 'x-ferry-mode', 'x-ferry-mtime'];
/** Request headers a capability needs besides the body (resuming reads and uploads). */
const PASS_REQUEST_HEADERS = ['range', 'x-ferry-offset'];

/**
 * `/api/v1/peers/:peer/<capability…>` → `/peer/v1/<capability…>` on that peer over mutual TLS.
 * Designed once: the method, query and JSON body go as they are, the answer (SSE too) comes back
 * as it is, and the peer applies its policy for us.
 */
export function forwardRoutes(deps: { peers: PeerService; client: PeerClient; onFailure: (nodeId: string) => void }): Router {
  const r = Router();
  r.all('/peers/:peer/*rest', async (req: Request, res, next) => {
    const rest = ([] as string[]).concat((req.params as { rest?: string[] }).rest ?? []);
    const ref = String((req.params as { peer?: string }).peer);
    req.audit = { action: 'peer.forward', target: `${ref}/${rest.join('/')}` };
    if (!FORWARDED.has(rest[0] ?? '')) {
      return next(new ApiError('route-not-found', `"${rest[0] ?? ''}" cannot be asked of a peer; forwarded: ${[...FORWARDED].join(', ')}`));
    }
    const target = deps.peers.target(ref);
    const qs = req.originalUrl.indexOf('?');
    const path = `/${rest.map(encodeURIComponent).join('/')}${qs >= 0 ? req.originalUrl.slice(qs) : ''}`;
    const isJson = req.is('application/json');
    const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method) && isJson && req.body !== undefined && Object.keys(req.body as object).length > 0;
    // A raw body (file content, multipart) was not parsed: it is streamed to the peer as it comes.
    const stream = !isJson && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
    const headers: Record<string, string> = {};
    for (const h of PASS_REQUEST_HEADERS) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
    if (stream) {
      headers['content-type'] = String(req.headers['content-type']);
      if (req.headers['content-length']) headers['content-length'] = String(req.headers['content-length']);
    }
    const ac = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    let upstream: http.IncomingMessage;
    try {
      upstream = await deps.client.request(target, { method: req.method, path, body: hasBody ? req.body : undefined, stream: stream ? req : undefined, headers, signal: ac.signal });
    } catch (err) {
      if (ac.signal.aborted) return;
      if (err instanceof PeerLinkError) {
        if (err.code === 'peer-unreachable') deps.onFailure(target.nodeId);
        return next(new ApiError(err.code, err.message, { peer: target.name }));
      }
      throw err;
    }
    res.status(upstream.statusCode ?? 502);
    for (const h of PASS_HEADERS) {
      const v = upstream.headers[h];
      if (v !== undefined) res.setHeader(h, h === 'location' ? String(v).replace(/^\/peer\/v1\//, `${API_PREFIX}/peers/${encodeURIComponent(target.name)}/`) : v);
    }
    if ((upstream.statusCode ?? 0) >= 400) {
      // An error envelope is small: read it, so the local audit record carries the peer's code.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of upstream) {
        size += (c as Buffer).length;
        if (size <= 64 * 1024) chunks.push(c as Buffer);
      }
      const body = Buffer.concat(chunks);
      try {
        res.locals.errorCode = (JSON.parse(body.toString('utf8')) as { error?: { code?: string } }).error?.code;
      } catch {
        // not an envelope: pass it on as it is
      }
      res.end(body);
      return;
    }
    if (upstream.headers['content-type']?.includes('event-stream')) res.flushHeaders();
    // Trailers (a file's SHA-256) come after the body: copy them over before ending.
    upstream.pipe(res, { end: false });
    upstream.once('end', () => {
      const trailers = Object.fromEntries(Object.entries(upstream.trailers).filter(([, v]) => typeof v === 'string'));
      if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
      res.end();
    });
    upstream.once('error', () => res.destroy());
  });
  return r;
}
