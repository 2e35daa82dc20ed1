// The floor Ferry's context routes are measured against: node:http around the daemon's context
// SQL (context-sql.mjs), with nothing else: no framework, no auth, no Host check, no validation
// beyond "has a value", no audit, no events. Plain .mjs: it runs under bare `node`, like the
// built daemon.
//
// Usage: node bare-context-server.mjs <db-file>   → prints {"port":N} on stdout when listening.
import http from 'node:http';
import { openContext, validPut } from './context-sql.mjs';

const store = openContext(process.argv[2] ?? ':memory:');

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const PREFIX = '/api/v1/context/';

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/api/v1/status' && req.method === 'GET') return send(res, 200, { pid: process.pid, context: { entries: store.count() } });
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

server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));

const stop = () => {
  server.close(() => (store.db.close(), process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
