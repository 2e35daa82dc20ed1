import { Router } from 'express';
import type { AdminToken } from '../auth/admin-token.js';
import type { SessionStore } from '../auth/sessions.js';
import { ApiError } from '../http/errors.js';
import { SESSION_COOKIE, type RotatedToken, type SessionInfo } from '../protocol/index.js';

export function authRoutes(deps: { adminToken: AdminToken; sessions: SessionStore; onRotated: (at: number) => void; now: () => number }): Router {
  const r = Router();

  r.get('/auth/session', (req, res) => {
    req.audit = { action: 'auth.session' };
    const sid = req.principal?.kind === 'local' ? req.principal.sessionId : undefined;
    const session = sid ? deps.sessions.get(sid) : undefined;
    if (!session) throw new ApiError('unauthorized', 'no admin session: this request was not made with the session cookie');
    const body: SessionInfo = { csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
    res.json(body);
  });

  r.delete('/auth/session', (req, res) => {
    req.audit = { action: 'auth.logout' };
    if (req.principal?.kind === 'local' && req.principal.sessionId) deps.sessions.delete(req.principal.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    res.status(204).end();
  });

  // New admin token: the old one, every session, socket and stream opened with it stop working.
  r.post('/auth/token/rotate', (req, res) => {
    req.audit = { action: 'auth.rotate-token' };
    const token = deps.adminToken.rotate();
    deps.sessions.deleteAll();
    const at = deps.now();
    const body: RotatedToken = { token, rotatedAt: new Date(at).toISOString() };
    res.on('finish', () => deps.onRotated(at));
    res.json(body);
  });

  return r;
}
