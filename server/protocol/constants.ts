/**
 * Wire constants with no dependencies, so a browser bundle that needs only these (and types)
 * does not pull in zod.
 */
export const API_PREFIX = '/api/v1';
/** Default local API port (FERRY_PORT overrides it). */
export const DEFAULT_PORT = 7717;
/** Name of the httpOnly session cookie the admin UI gets in exchange for the admin token. */
export const SESSION_COOKIE = 'ferry_session';
/** Header that must carry the CSRF token on state-changing requests made with the session cookie. */
export const CSRF_HEADER = 'x-ferry-csrf';
