import { Router, type RequestHandler } from 'express';
import type { AdminToken } from '../auth/admin-token.js';
import type { SessionStore } from '../auth/sessions.js';
import { ApiError } from '../http/errors.js';
import { parseBody } from '../http/validate.js';
import { LoginRequest, SESSION_COOKIE, type Health, type SessionInfo } from '../protocol/index.js';

/**
 * The ONLY routes that answer without authentication. tests/api/auth-coverage.test.ts walks the
 * router and holds every other route to a 401; adding a route here means adding it there.
 */
export const PUBLIC_ROUTES: readonly (readonly [method: string, path: string])[] = [
  ['GET', '/api/v1/health'],
  ['POST', '/api/v1/auth/session'],
  // Static admin assets (no data in them) and the redirect to them.
  ['GET', '/'],
  ['GET', '/admin'],
  ['GET', '/admin/*'],
];

export function publicRoutes(deps: { jsonBody: RequestHandler[]; authFailure: RequestHandler; isDraining: () => boolean; adminToken: AdminToken; sessions: SessionStore; sessionTtlMs: number }): Router {
  const r = Router();

  r.get('/health', (req, res) => {
    req.audit = { action: 'health' };
    const body: Health = { status: deps.isDraining() ? 'draining' : 'ok' };
    res.status(deps.isDraining() ? 503 : 200).json(body);
  });

  // Log in to the admin UI: the token is exchanged for an httpOnly, SameSite=Strict cookie.
  r.post('/auth/session', ...deps.jsonBody, (req, res, next) => {
    req.audit = { action: 'auth.login' };
    const { token } = parseBody(LoginRequest, req);
    if (!deps.adminToken.verify(token)) {
      const err = new ApiError('unauthorized', 'that is not the admin token: copy it from `ferry key show` or $FERRY_HOME/admin.token');
      return void deps.authFailure(req, res, () => next(err));
    }
    const { id, session } = deps.sessions.create();
    res.cookie(SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: deps.sessionTtlMs,
    });
    const body: SessionInfo = { csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
    res.status(201).json(body);
  });

  return r;
}
