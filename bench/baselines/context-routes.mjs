// The bare context servers' routes: GET and PUT of one entry around the daemon's context SQL
// (context-sql.mjs), node:http's request and response only. Shared by bare-context-server.mjs
// and bare-mtls-context-server.mjs, which differ in the transport and the prefix.
import { send } from './bare-http.mjs';
import { validPut } from './context-sql.mjs';

/** GET and PUT `<prefix><key>` on a context store (context-sql.mjs); any other URL is a 404. */
export function contextRoutes(store, prefix) {
  return (req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(prefix)) return send(res, 404, { error: { code: 'route-not-found', message: url } });
    const key = decodeURIComponent(url.slice(prefix.length));
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
  };
}
