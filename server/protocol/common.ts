import { z } from 'zod';

/** ISO-8601 timestamp in UTC, e.g. 2026-11-21T10:00:00.000Z. */
export const Timestamp = z.string().datetime({ offset: false });

/** Opaque pagination cursor: clients pass back what the previous page returned. */
export const Cursor = z.string().min(1).max(512);

/** A query-string integer (query values always arrive as strings). */
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

export const Limit = queryInt(1, 500);

export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * Who made a request. `local` is the holder of the admin token (CLI, MCP, admin UI).
 * Later issues add `peer:<fingerprint>`.
 */
export const Principal = z.string().min(1);
