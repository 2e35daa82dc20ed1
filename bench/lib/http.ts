import http from 'node:http';

/** One keep-alive connection, reused for every request (the sequential benches want exactly one). */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** How a request is sent: node:http's `request`, or node:https's over a mutual-TLS agent. */
export type Send = (url: URL, options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest;

/** A JSON request over the shared keep-alive agent, bounded in time. */
export function requestJson(base: string, method: string, urlPath: string, headers: Record<string, string>, body?: unknown, timeoutMs = 30_000): Promise<JsonResponse> {
  return sendJson(http.request, agent, base, method, urlPath, headers, body, timeoutMs);
}

/** A JSON request through `send` over `via`, bounded in time; the answer's body parsed. */
export function sendJson(send: Send, via: http.Agent, base: string, method: string, urlPath: string, headers: Record<string, string>, body: unknown, timeoutMs: number): Promise<JsonResponse> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = send(
      new URL(urlPath, base),
      {
        method,
        agent: via,
        headers: { ...headers, ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}) },
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

/** requestJson that insists on a status, so a benchmark never times error responses by mistake. */
export async function expectJson(status: number | number[], ...args: Parameters<typeof requestJson>): Promise<unknown> {
  const r = await requestJson(...args);
  const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
  if (!ok) throw new Error(`${args[1]} ${args[2]}: expected ${String(status)}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}
