import { FerryClient, FerryError } from '$ferry/client/index.js';

export { FerryError };

let onUnauthorized: () => void = () => undefined;

/** Called when the daemon says our session is gone (expired, logged out elsewhere, token rotated). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

// The session routes answer 401 as part of their normal job (wrong token, no session yet);
// any other 401 means the cookie stopped working and the user has to sign in again.
const AUTH_ROUTE = /\/api\/v1\/auth\/session(?:\?|$)/;

async function sessionAwareFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (res.status === 401 && !AUTH_ROUTE.test(url)) onUnauthorized();
  return res;
}

/**
 * The one client the admin uses: same origin, authenticated by the httpOnly session cookie.
 * The admin token never lives here; only the CSRF token for writes, set after sign-in.
 */
export const api = new FerryClient({ baseUrl: '', fetch: sessionAwareFetch });

/** A sentence for a person, from whatever an API call threw. */
export function describeError(err: unknown): string {
  if (err instanceof FerryError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof FerryError ? err.code : undefined;
}
