import type { Request } from 'express';
import type { z } from 'zod';
import { ApiError, validationDetails } from './errors.js';

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = validationDetails(r.error);
    throw new ApiError('validation-failed', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  }
  return r.data;
}

export const parseBody = <T extends z.ZodType>(schema: T, req: Request) => parse(schema, req.body ?? {}, 'request body');
export const parseQuery = <T extends z.ZodType>(schema: T, req: Request) => parse(schema, { ...req.query }, 'query');

/** Opaque cursors are base64url JSON; a tampered one is a 400, not a crash. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
export function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new ApiError('validation-failed', 'invalid cursor: pass back the nextCursor of the previous page unchanged');
}
