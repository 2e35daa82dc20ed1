import { z } from 'zod';
import { Cursor, Limit, Timestamp, page, queryInt } from './common.js';

/**
 * Context keys: 1–512 characters, no control characters, not "." or "..". Keys may contain "/"
 * (clients send the whole key URL-encoded as one path segment).
 */
export const ContextKey = z
  .string()
  .min(1, 'key must not be empty')
  .max(512, 'key must be at most 512 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'key must not contain control characters')
  .refine((k) => k !== '.' && k !== '..', 'key must not be "." or ".."');

export const JsonValue: z.ZodType<unknown> = z.unknown().refine((v) => v !== undefined, 'value is required');

export const ContextEntry = z.object({
  key: z.string(),
  value: z.unknown(),
  version: z.number().int().positive(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  updatedBy: z.string(),
});
export type ContextEntry = z.infer<typeof ContextEntry>;

export const ContextPut = z.strictObject({
  value: JsonValue,
  /** Seconds until the entry expires; absent means it never does. */
  ttlSeconds: z.number().int().min(1).max(10 * 365 * 24 * 3600).optional(),
  /** Compare-and-set: the write happens only if the current version equals this. 0 = "must not exist". */
  ifVersion: z.number().int().min(0).optional(),
});
export type ContextPut = z.infer<typeof ContextPut>;

export const ContextDeleteQuery = z.strictObject({ ifVersion: queryInt(0, Number.MAX_SAFE_INTEGER).optional() });

export const ContextListQuery = z.strictObject({
  prefix: z.string().max(512).optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
/** What a client passes (numbers as numbers; the schema above parses the query string). */
export type ContextListQuery = { prefix?: string; limit?: number; cursor?: string };

export const ContextPage = page(ContextEntry);
export type ContextPage = z.infer<typeof ContextPage>;

export const ContextDeleted = z.object({ key: z.string(), deleted: z.literal(true), version: z.number().int() });
export type ContextDeleted = z.infer<typeof ContextDeleted>;
