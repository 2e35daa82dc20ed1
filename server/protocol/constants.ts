/**
 * Wire constants with no dependencies, so a browser bundle that needs only these (and types)
 * does not pull in zod.
 */
export const API_PREFIX = '/api/v1';
/** Default local API port (FERRY_PORT overrides it). */
export const DEFAULT_PORT = 7717;
/** Default port of the mutual-TLS peer listener (FERRY_PEER_PORT overrides it). */
export const DEFAULT_PEER_PORT = 7718;
/** Path prefix of the peer API (on the peer listener only). */
export const PEER_PREFIX = '/peer/v1';
/** Name of the httpOnly session cookie the admin UI gets in exchange for the admin token. */
export const SESSION_COOKIE = 'ferry_session';
/** Header that must carry the CSRF token on state-changing requests made with the session cookie. */
export const CSRF_HEADER = 'x-ferry-csrf';
