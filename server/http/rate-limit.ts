import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.js';
import { ApiError, sendError } from './errors.js';

export type RateCategory = 'exec' | 'context' | 'files';

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
  return rateLimit({
    windowMs: cfg.windowMs,
    limit: cfg[category],
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req) => req.principal?.kind === 'local' && !cfg.applyToLocal,
    keyGenerator: (req) => req.principal?.id ?? clientIp(req),
    handler: tooMany(`${category} requests`),
  });
}

/**
 * Failed authentication, per client address: only 401s count, so a working client is never
 * slowed, and guessing the token gets nowhere.
 */
export function authFailureLimiter(cfg: Config['rateLimits']): RequestHandler {
  return rateLimit({
    windowMs: cfg.windowMs,
    limit: cfg.authFailures,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    // Health carries no credential: a locked-out address must not make probes fail.
    skip: (req) => req.path === '/health',
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: clientIp,
    handler: tooMany('failed authentication attempts'),
  });
}
