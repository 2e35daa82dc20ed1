/** What the middleware learns about a request, for the handlers and the audit record. */
export interface Principal {
  /** `local` for the admin token holder (later: `peer:<fingerprint>`). */
  id: string;
  kind: 'local';
  via: 'token' | 'session';
  sessionId?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** Set by a handler: what the request did, for the audit log. */
    audit?: { action: string; target?: string | null };
  }
}

export function describeAction(req: { audit?: { action: string }; method: string }): string {
  return req.audit?.action ?? `http.${req.method.toLowerCase()}`;
}
