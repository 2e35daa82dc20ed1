// The floor Ferry's context routes are measured against: node:http around the daemon's context
// SQL (context-sql.mjs), with nothing else: no framework, no auth, no Host check, no validation
// beyond "has a value", no audit, no events. Plain .mjs: it runs under bare `node`, like the
// built daemon.
//
// Usage: node bare-context-server.mjs <db-file>   → prints {"port":N} on stdout when listening.
import http from 'node:http';
import { send, serve } from './bare-http.mjs';
import { contextRoutes } from './context-routes.mjs';
import { openContext } from './context-sql.mjs';

const store = openContext(process.argv[2] ?? ':memory:');
const context = contextRoutes(store, '/api/v1/context/');

const server = http.createServer((req, res) => {
  if (req.url === '/api/v1/status' && req.method === 'GET') return send(res, 200, { pid: process.pid, context: { entries: store.count() } });
  context(req, res);
});

serve(server, () => store.db.close());
