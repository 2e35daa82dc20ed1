import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.js';
import { ApiError, sendError } from './errors.js';

export type RateCategory = 'exec' | 'context' | 'files' | 'pairing' | 'aiTasks';

const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

function tooMany(what: string): RequestHandler {
  return (_req, res) => {
    const reset = (_req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retry = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
    sendError(res, new ApiError('rate-limited', `too many ${what}; retry in ${retry} s`, { retryAfterSeconds: retry }, { 'retry-after': String(retry) }));
  };
}

/** Per-category limits, per principal (per address when there is none yet). */
export function categoryLimiter(category: RateCategory, cfg: Config['rateLimits']): RequestHandler {
  const limiter = rateLimit({
    windowMs: cfg.windowMs,
    limit: cfg[category],
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => req.principal?.id ?? clientIp(req),
    handler: tooMany(`${category} requests`),
  });
  if (cfg.applyToLocal) return limiter;
  // The local admin is not throttled: decide that before the limiter's (async) bookkeeping.
  return (req, res, next) => (req.principal?.kind === 'local' ? next() : limiter(req, res, next));
}

/**
 * Failed authentication, per client address. It is run only when authentication FAILS: each
 * failure counts, and past the limit the answer is 429 instead of 401, so guessing slows to a
 * crawl (the token is 256 random bits: it cannot be guessed anyway). A valid credential is never
 * refused, so a local process that spams wrong tokens cannot lock the real admin out.
 */
export function authFailureLimiter(cfg: Config['rateLimits']): RequestHandler {
  return rateLimit({
    windowMs: cfg.windowMs,
    limit: cfg.authFailures,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: clientIp,
    handler: tooMany('failed authentication attempts'),
  });
}
