import https from 'node:https';
import { sendJson, type JsonResponse } from './http.js';

/** A node's key and certificate (PEM), as in its data dir's identity/. */
export interface TlsIdentity {
  key: string;
  cert: string;
}

/**
 * What a daemon presents when it calls a peer: its own certificate, TLS 1.3 only. The server's
 * self-signed certificate is not chain-checked (a daemon pins its fingerprint instead; here the
 * bench started the server itself).
 */
export function clientTls(id: TlsIdentity) {
  return { key: id.key, cert: id.cert, minVersion: 'TLSv1.3' as const, rejectUnauthorized: false };
}

/** One keep-alive mutual-TLS connection, reused for every request (the sequential benches want exactly one). */
export function mtlsAgent(id: TlsIdentity): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets: 1, ...clientTls(id) });
}

/** A JSON request over a mutual-TLS agent, bounded in time; the https twin of http.ts requestJson. */
export function mtlsJson(agent: https.Agent, base: string, method: string, urlPath: string, body?: unknown, timeoutMs = 30_000): Promise<JsonResponse> {
  return sendJson(https.request, agent, base, method, urlPath, {}, body, timeoutMs);
}
