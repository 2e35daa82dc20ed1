// A reference between the floor and the daemon: Express 5 (the daemon's framework, with the
// daemon's app settings and JSON body parser) around the same context SQL, and nothing else.
// The gap from the bare server is the framework's; the gap from here to the daemon is Ferry's
// own middleware (Host check, audit, helmet, rate limiters, auth, zod, events).
//
// Usage: node express-context-server.mjs <db-file>   → prints {"port":N} on stdout when listening.
import http from 'node:http';
import express from 'express';
import { serve } from './bare-http.mjs';
import { openContext, validPut } from './context-sql.mjs';

const store = openContext(process.argv[2] ?? ':memory:');

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.set('query parser', 'simple');
app.use('/api/v1', express.json({ limit: 2 * 1024 * 1024, strict: false }));

const keyOf = (req) => {
  const raw = req.params.key;
  return Array.isArray(raw) ? raw.join('/') : raw;
};

app.get('/api/v1/status', (_req, res) => res.json({ pid: process.pid, context: { entries: store.count() } }));

app.get('/api/v1/context/*key', (req, res) => {
  const entry = store.get(keyOf(req));
  if (!entry) return res.status(404).json({ error: { code: 'key-not-found', message: keyOf(req) } });
  res.json(entry);
});

app.put('/api/v1/context/*key', (req, res) => {
  if (!validPut(req.body)) return res.status(400).json({ error: { code: 'validation-failed', message: 'value is required' } });
  const { entry, created } = store.put(keyOf(req), JSON.stringify(req.body.value));
  res.status(created ? 201 : 200).json(entry);
});

// app.listen is http.createServer(app).listen.
serve(http.createServer(app), () => store.db.close());
