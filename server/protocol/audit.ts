import { z } from 'zod';
import { Cursor, Limit, Timestamp, page } from './common.js';

export const AuditResult = z.enum(['ok', 'error', 'denied']);
export type AuditResult = z.infer<typeof AuditResult>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  principal: z.string(),
  /** e.g. `context.put`, `exec.run`, `auth.login`; `http.<method>` when no route matched. */
  action: z.string(),
  target: z.string().nullable(),
  result: AuditResult,
  status: z.number().int(),
  code: z.string().nullable(),
  durationMs: z.number(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.strictObject({
  principal: z.string().max(256).optional(),
  action: z.string().max(128).optional(),
  result: AuditResult.optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export type AuditQuery = {
  principal?: string;
  action?: string;
  result?: AuditResult;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
};
export const AuditPage = page(AuditEntry);
export type AuditPage = z.infer<typeof AuditPage>;
