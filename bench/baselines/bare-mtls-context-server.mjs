// The floor for reading a peer's context: node:https with the daemon's peer-listener TLS settings
// (TLS 1.3 only, every client must present a certificate, self-signed so no chain check) and the
// daemon's own key and certificate files, around the daemon's context SQL (context-sql.mjs). The
// TLS work is the daemon's to the byte; nothing else is: no pin lookup, no framework, no policy,
// no audit, no rate limiter. Plain .mjs: it runs under bare `node`, like the built daemon.
//
// Usage: node bare-mtls-context-server.mjs <db-file> <key.pem> <cert.pem>
//   → prints {"port":N} on stdout when listening; serves GET and PUT /peer/v1/context/<key>.
import fs from 'node:fs';
import https from 'node:https';
import { openContext, validPut } from './context-sql.mjs';

const [dbFile, keyFile, certFile] = process.argv.slice(2);
const store = openContext(dbFile ?? ':memory:');

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const PREFIX = '/peer/v1/context/';

const tlsOptions = { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false };

const server = https.createServer(tlsOptions, (req, res) => {
  const url = req.url ?? '/';
  if (!url.startsWith(PREFIX)) return send(res, 404, { error: { code: 'route-not-found', message: url } });
  const key = decodeURIComponent(url.slice(PREFIX.length));
  if (req.method === 'GET') {
    const entry = store.get(key);
    return entry ? send(res, 200, entry) : send(res, 404, { error: { code: 'key-not-found', message: key } });
  }
  if (req.method !== 'PUT') return send(res, 405, { error: { code: 'method-not-allowed', message: req.method } });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { code: 'invalid-json', message: 'the body is not JSON' } });
    }
    if (!validPut(body)) return send(res, 400, { error: { code: 'validation-failed', message: 'value is required' } });
    const { entry, created } = store.put(key, JSON.stringify(body.value));
    send(res, created ? 201 : 200, entry);
  });
});

// Mutual TLS, as on the daemon's peer port: a connection without a client certificate is closed.
// Once per connection, like the daemon's own check on `secureConnection`.
server.on('secureConnection', (socket) => {
  if (!socket.getPeerCertificate()?.raw) socket.destroy();
});

server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));

const stop = () => {
  server.close(() => (store.db.close(), process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
