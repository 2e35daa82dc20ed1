import { z } from 'zod';
import { Timestamp } from './common.js';

/** Name of the httpOnly session cookie the admin UI gets in exchange for the admin token. */
export const SESSION_COOKIE = 'ferry_session';
/** Header that must carry the CSRF token on state-changing requests made with the session cookie. */
export const CSRF_HEADER = 'x-ferry-csrf';

export const LoginRequest = z.strictObject({ token: z.string().min(1).max(512) });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionInfo = z.object({ csrfToken: z.string(), expiresAt: Timestamp });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const RotatedToken = z.object({ token: z.string(), rotatedAt: Timestamp });
export type RotatedToken = z.infer<typeof RotatedToken>;
