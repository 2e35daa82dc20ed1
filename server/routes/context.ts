import { Router, type Request } from 'express';
import { categoryLimiter } from '../http/rate-limit.js';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../http/validate.js';
import { ApiError, validationDetails } from '../http/errors.js';
import type { Config } from '../config.js';
import { ContextDeleteQuery, ContextKey, ContextListQuery, ContextPut, WatchQuery } from '../protocol/index.js';
import type { EventBus } from '../events/bus.js';
import type { SseHub } from '../http/sse.js';
import type { ContextService } from '../services/context.js';
import type { PolicyService } from '../policy/service.js';

/** A context key, or a 400 saying what is wrong with it. */
export function checkKey(key: string): string {
  const r = ContextKey.safeParse(key);
  if (!r.success) throw new ApiError('validation-failed', `invalid key: ${r.error.issues[0]?.message}`, validationDetails(r.error));
  return key;
}

/** The key is the rest of the path (one URL-encoded segment, or several joined by "/"). */
function keyOf(req: Request): string {
  const raw = (req.params as Record<string, string | string[]>).key;
  return checkKey(Array.isArray(raw) ? raw.join('/') : (raw ?? ''));
}

export function contextRoutes(deps: { context: ContextService; policy: PolicyService; rateLimits: Config['rateLimits']; bus: EventBus; sse: SseHub }): Router {
  const r = Router();
  const svc = deps.context;
  r.use('/context', categoryLimiter('context', deps.rateLimits));

  r.get('/context', (req, res) => {
    req.audit = { action: 'context.list', target: typeof req.query.prefix === 'string' ? req.query.prefix : null };
    deps.policy.context(req, 'read');
    const q = parseQuery(ContextListQuery, req);
    const after = decodeCursor(q.cursor, (v): v is { after: string } => typeof (v as { after?: unknown })?.after === 'string');
    const page = svc.list({ prefix: q.prefix, limit: q.limit, after: after?.after });
    res.json({ items: page.items, nextCursor: page.nextCursor === null ? null : encodeCursor({ after: page.nextCursor }) });
  });

  // Watch a key or a prefix: its changes as SSE (before `/context/*key`, which would take "watch" as a key).
  r.get('/context/watch', (req, res) => {
    const q = parseQuery(WatchQuery, req);
    req.audit = { action: 'context.watch', target: q.key ?? q.prefix ?? '' };
    deps.policy.context(req, 'read');
    const stream = deps.sse.start(req, res);
    stream.send('ready', { key: q.key ?? null, prefix: q.prefix ?? null });
    const off = deps.bus.subscribe((e) => {
      if (e.type !== 'context.changed') return;
      if (q.key !== undefined ? e.data.key === q.key : e.data.key.startsWith(q.prefix ?? '')) stream.send(e.type, e, e.id);
    });
    stream.onClose(off);
  });

  r.get('/context/*key', (req, res) => {
    const key = keyOf(req);
    req.audit = { action: 'context.get', target: key };
    deps.policy.context(req, 'read');
    res.json(svc.get(key));
  });

  r.put('/context/*key', (req, res) => {
    const key = keyOf(req);
    req.audit = { action: 'context.put', target: key };
    deps.policy.context(req, 'write');
    const put = parseBody(ContextPut, req);
    const { entry, created } = svc.put(key, put, req.principal!.id);
    res.status(created ? 201 : 200).json(entry);
  });

  r.delete('/context/*key', (req, res) => {
    const key = keyOf(req);
    req.audit = { action: 'context.delete', target: key };
    deps.policy.context(req, 'write');
    const q = parseQuery(ContextDeleteQuery, req);
    res.json(svc.delete(key, q.ifVersion));
  });

  return r;
}
