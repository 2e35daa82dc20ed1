import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../protocol/index.js';
import type { Logger } from '../log.js';

/** An error the client should see: a stable code, the matching status, a helpful message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

/** zod issues → a list a person (or a program) can act on: where, and what was expected. */
export function validationDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}` : i.message,
  }));
}

export function sendError(res: Parameters<RequestHandler>[1], err: ApiError): void {
  res.locals.errorCode = err.code;
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('route-not-found', `no route ${req.method} ${req.path}: see the API reference in docs/api.md`));
};

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean };

/** Map body-parser errors to our codes; a client's mistake is never a 500. */
function fromBodyParser(err: BodyParserError): ApiError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError('invalid-json', `the request body is not valid JSON: ${err.message}`);
    case 'entity.too.large':
      return new ApiError('payload-too-large', 'the request body is larger than the daemon accepts (http.jsonLimitBytes)');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported-media-type', err.message);
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('validation-failed', err.message);
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.expose) {
    return new ApiError('validation-failed', err.message);
  }
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const apiError = err instanceof ApiError ? err : fromBodyParser(err as BodyParserError);
    if (res.headersSent) {
      // Too late for an envelope (a stream was under way): end the response, keep the daemon up.
      log.warn('error after headers were sent', { path: req.path, err });
      if (!res.writableEnded) res.end();
      return;
    }
    if (apiError) return sendError(res, apiError);
    log.error('unhandled error', { method: req.method, path: req.path, err });
    void next;
    sendError(res, new ApiError('internal-error', 'the daemon hit an unexpected error; it is in the daemon log'));
  };
}
