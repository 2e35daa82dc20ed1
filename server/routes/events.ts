import { Router } from 'express';
import type { EventBus } from '../events/bus.js';
import type { SseHub } from '../http/sse.js';
import { parseQuery } from '../http/validate.js';
import { EventsQuery } from '../protocol/index.js';

/**
 * Catch-up and live events as SSE: stored events after `since`, then live ones. The replay and
 * the subscription happen in the same tick, so nothing falls between them.
 */
export function eventRoutes(deps: { bus: EventBus; sse: SseHub }): Router {
  const r = Router();
  r.get('/events', (req, res) => {
    req.audit = { action: 'events.stream' };
    const q = parseQuery(EventsQuery, req);
    const stream = deps.sse.start(req, res);
    stream.send('ready', { lastId: deps.bus.lastId() });
    if (q.since !== undefined) {
      for (const e of deps.bus.since(q.since, q.topics, Number.MAX_SAFE_INTEGER)) stream.send(e.type, e, e.id);
    }
    const off = deps.bus.subscribe((e) => {
      if (!q.topics || q.topics.includes(e.topic)) stream.send(e.type, e, e.id);
    });
    stream.onClose(off);
  });
  return r;
}
