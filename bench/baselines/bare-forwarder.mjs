// The floor for the forwarding hop: node:http in, node:https out, nothing else. Each request goes
// as it is to the upstream (bare-mtls-context-server.mjs) over a keep-alive agent that presents a
// client certificate (the forwarding daemon's own key.pem/cert.pem, TLS 1.3), and the answer is
// piped back with its status and content-type only, as the daemon's forward route does (a request
// body goes with its content-type and content-length, as the daemon sends a JSON body). No auth,
// no peer lookup, no pinning check, no audit, no framework.
//
// Usage: node bare-forwarder.mjs <upstream-port> <key.pem> <cert.pem>   → prints {"port":N}.
import http from 'node:http';
import https from 'node:https';
import { peerAgent, serve } from './bare-http.mjs';

const [upstreamPort, keyFile, certFile] = process.argv.slice(2);
const agent = peerAgent(keyFile, certFile);

const server = http.createServer((req, res) => {
  // A body goes with its type and length, as the daemon sends one (without a length the body would
  // go chunked, its last chunk in a packet of its own, and Nagle + delayed ACK would hold it ~40 ms).
  const headers = { accept: 'application/json' };
  for (const h of ['content-type', 'content-length']) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  const up = https.request({ host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, agent, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers['content-type'] ? { 'content-type': answer.headers['content-type'] } : {});
    answer.pipe(res);
  });
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'upstream-failed', message: err.message } }));
  });
  req.pipe(up);
});

serve(server, () => agent.destroy());
