import https from 'node:https';
import type { JsonResponse } from './http.js';

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
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(urlPath, base),
      {
        method,
        agent,
        headers: data !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
          } catch {
            reject(new Error(`${method} ${urlPath}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}
