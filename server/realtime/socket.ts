import type http from 'node:http';
import { Server } from 'socket.io';
import { authenticate, type AuthDeps } from '../http/auth.js';
import { ApiError, validationDetails } from '../http/errors.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import { SubscribeRequest, Topic, type ClientToServerEvents, type ServerToClientEvents } from '../protocol/index.js';
import type { AuditService } from '../services/audit.js';
import { z } from 'zod';

export type FerryIo = Server<ClientToServerEvents, ServerToClientEvents>;

/** A browser's Origin must be this very host: no cross-site sockets. Non-browser clients send none. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Socket.IO carries notifications only (commands stay on REST): auth on connect, one room per
 * topic, catch-up from `since` on subscribe, then live events from the bus.
 */
export function attachSocket(
  server: http.Server,
  deps: AuthDeps & { bus: EventBus; log: Logger; audit: AuditService; hostAllowed: (h: string | undefined) => boolean },
): FerryIo {
  const io: FerryIo = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    allowRequest: (req, cb) => cb(null, deps.hostAllowed(req.headers.host) && sameOrigin(req)),
  });

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const p = authenticate(deps, {
      method: 'GET',
      headers: { authorization: typeof token === 'string' ? `Bearer ${token}` : undefined, cookie: socket.handshake.headers.cookie },
    });
    const denied = p instanceof ApiError ? p : p ? undefined : new ApiError('unauthorized', 'authentication required: pass auth: { token } or log in to the admin');
    deps.audit.record({
      principal: p && !(p instanceof ApiError) ? p.id : 'anonymous',
      action: 'socket.connect',
      target: null,
      result: denied ? 'denied' : 'ok',
      status: denied ? 401 : 101,
      code: denied?.code ?? null,
      duration_ms: 0,
      ip: socket.handshake.address,
    });
    if (denied) {
      const err = new Error(denied.message) as Error & { data?: unknown };
      err.data = { code: denied.code, message: denied.message };
      return next(err);
    }
    socket.data.principal = p;
    next();
  });

  io.on('connection', (socket) => {
    socket.on('subscribe', (raw, ack) => {
      if (typeof ack !== 'function') return;
      const r = SubscribeRequest.safeParse(raw);
      if (!r.success) return ack({ ok: false, error: { code: 'validation-failed', message: validationDetails(r.error).map((d) => `${d.path}: ${d.message}`).join('; ') } });
      if (r.data.since !== undefined) {
        for (const e of deps.bus.since(r.data.since, r.data.topics, Number.MAX_SAFE_INTEGER)) socket.emit('event', e);
      }
      void socket.join(r.data.topics);
      ack({ ok: true, topics: r.data.topics });
    });
    socket.on('unsubscribe', (raw, ack) => {
      if (typeof ack !== 'function') return;
      const r = z.strictObject({ topics: z.array(Topic) }).safeParse(raw);
      if (!r.success) return ack({ ok: false, error: { code: 'validation-failed', message: 'topics must be a list of known topics' } });
      for (const t of r.data.topics) void socket.leave(t);
      ack({ ok: true, topics: r.data.topics });
    });
  });

  // Encoding a packet for an empty room is wasted work on every write: skip it.
  const off = deps.bus.subscribe((e) => {
    if (io.sockets.adapter.rooms.get(e.topic)?.size) io.to(e.topic).emit('event', e);
  });
  io.engine.on('close', off);
  return io;
}
