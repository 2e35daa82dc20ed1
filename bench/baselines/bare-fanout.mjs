// The floor for a broadcast: node:http in, N node:https requests out in parallel, nothing else.
// `POST /broadcast/<key>` with a JSON body {value} sends `PUT /peer/v1/context/<key>` with the same
// body to every upstream (bare-mtls-context-server.mjs) at once, each over its own keep-alive
// connection pool presenting a client certificate (the broadcasting daemon's own key.pem/cert.pem,
// TLS 1.3), waits for every answer, and answers {results: [{port, status, version}]}, as the
// daemon's broadcast route answers a result per peer. No auth, no peer lookup, no pinning check,
// no audit, no framework.
//
// Usage: node bare-fanout.mjs <key.pem> <cert.pem> <port>...   → prints {"port":N}.
import http from 'node:http';
import https from 'node:https';
import { peerAgent, send, serve } from './bare-http.mjs';

const [keyFile, certFile, ...ports] = process.argv.slice(2);
// The daemon's peer agents (the pool is per upstream).
const agent = peerAgent(keyFile, certFile);
const PREFIX = '/broadcast/';

function put(port, key, body) {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port: Number(port), method: 'PUT', path: `/peer/v1/context/${key}`, agent, headers: { accept: 'application/json', 'content-type': 'application/json', 'content-length': String(body.length) }, timeout: 10_000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          let version = null;
          try {
            version = JSON.parse(Buffer.concat(chunks).toString('utf8')).version ?? null;
          } catch {
            // not JSON: the status says enough
          }
          resolve({ port: Number(port), status: res.statusCode, version });
        });
        res.on('error', (err) => resolve({ port: Number(port), status: 0, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (err) => resolve({ port: Number(port), status: 0, error: err.message }));
    req.end(body);
  });
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method !== 'POST' || !url.startsWith(PREFIX)) return send(res, 404, { error: { code: 'route-not-found', message: url } });
  const key = url.slice(PREFIX.length);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    Promise.all(ports.map((p) => put(p, key, body))).then((results) => send(res, 200, { key: decodeURIComponent(key), results }));
  });
});

serve(server, () => agent.destroy());
