import type { RequestHandler } from 'express';
import type { AuditService } from '../services/audit.js';
import { describeAction } from './context.js';

/** One audit record per request, written when the response is finished (or the client went away). */
export function auditRequests(audit: AuditService): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // 'close' always comes, after 'finish' for a complete response, alone for an aborted one.
    res.once('close', () => {
      const status = res.writableFinished || res.headersSent ? res.statusCode : 499;
      audit.record({
        principal: req.principal?.id ?? req.taskPrincipal ?? 'anonymous',
        action: describeAction(req),
        target: req.audit?.target ?? (req.audit ? null : req.path),
        result: status === 401 || status === 403 ? 'denied' : status >= 400 ? 'error' : 'ok',
        status,
        code: (res.locals.errorCode as string | undefined) ?? null,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        ip: req.socket?.remoteAddress ?? null,
      });
    });
    next();
  };
}
