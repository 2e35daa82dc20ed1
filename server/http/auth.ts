import type { Request, RequestHandler } from 'express';
import type { AdminToken } from '../auth/admin-token.js';
import type { SessionStore } from '../auth/sessions.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../protocol/index.js';
import { ApiError } from './errors.js';
import type { Principal } from './context.js';
import crypto from 'node:crypto';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthDeps {
  adminToken: AdminToken;
  sessions: SessionStore;
}

/**
 * Who is calling, from the bearer token or the admin session cookie; undefined when neither is
 * valid. A cookie alone is not enough to change state: the session's CSRF token must come too.
 */
export function authenticate(deps: AuthDeps, req: Pick<Request, 'headers' | 'method'>): Principal | ApiError | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m && deps.adminToken.verify(m[1]!)) return { id: 'local', kind: 'local', via: 'token' };
    return new ApiError('unauthorized', 'the bearer token is not valid: use the token in $FERRY_HOME/admin.token (`ferry key show`)');
  }
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (sid) {
    const session = deps.sessions.get(sid);
    if (!session) return new ApiError('unauthorized', 'the session has expired or was ended: log in again');
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      const ok = typeof sent === 'string' && sent.length === session.csrfToken.length && crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrfToken));
      if (!ok) return new ApiError('csrf-failed', `a state-changing request with the session cookie needs the ${CSRF_HEADER} header`);
    }
    return { id: 'local', kind: 'local', via: 'session', sessionId: sid };
  }
  return undefined;
}

/**
 * Everything mounted after this needs a principal. Public routes are mounted before it.
 * A failure goes through `onFailure` (the failed-auth rate limiter) before it is answered.
 */
export function requireAuth(deps: AuthDeps & { onFailure: RequestHandler }): RequestHandler {
  return (req, res, next) => {
    const p = authenticate(deps, req);
    if (p && !(p instanceof ApiError)) {
      req.principal = p;
      return next();
    }
    const err = p ?? new ApiError('unauthorized', 'authentication required: send `Authorization: Bearer <token>` (the token is in $FERRY_HOME/admin.token)');
    void deps.onFailure(req, res, () => next(err));
  };
}
