/** What the middleware learns about a request, for the handlers and the audit record. */
export type Principal =
  | {
      /** The admin token holder: the CLI, the MCP server, the admin UI. Full rights. */
      id: 'local';
      kind: 'local';
      via: 'token' | 'session';
      sessionId?: string;
    }
  | {
      /** A paired daemon, known by the certificate it presented (mutual TLS): `peer:<nodeId>`. */
      id: `peer:${string}`;
      kind: 'peer';
      via: 'mtls';
      peer: { nodeId: string; name: string };
    };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** On the peer listener: the TLS client certificate (for the pairing handshake, which has no principal yet). */
    tlsPeer?: { fingerprint: string; der: Buffer; remoteAddress: string };
    /** An AI task's agent asking for a tool permission with its task token: `task:<id>` (audit only; it has no rights). */
    taskPrincipal?: string;
    /** Set by a handler: what the request did, for the audit log. */
    audit?: { action: string; target?: string | null };
  }
}

export function describeAction(req: { audit?: { action: string }; method: string }): string {
  return req.audit?.action ?? `http.${req.method.toLowerCase()}`;
}
