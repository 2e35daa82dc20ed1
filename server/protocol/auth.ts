import { z } from 'zod';
import { Timestamp } from './common.js';

export { SESSION_COOKIE, CSRF_HEADER } from './constants.js';

export const LoginRequest = z.strictObject({ token: z.string().min(1).max(512) });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionInfo = z.object({ csrfToken: z.string(), expiresAt: Timestamp });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const RotatedToken = z.object({ token: z.string(), rotatedAt: Timestamp });
export type RotatedToken = z.infer<typeof RotatedToken>;
