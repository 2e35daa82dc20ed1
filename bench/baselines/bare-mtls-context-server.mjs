// The floor for reading a peer's context: node:https with the daemon's peer-listener TLS settings
// (TLS 1.3 only, every client must present a certificate, self-signed so no chain check) and the
// daemon's own key and certificate files, around the daemon's context SQL (context-sql.mjs). The
// TLS work is the daemon's to the byte; nothing else is: no pin lookup, no framework, no policy,
// no audit, no rate limiter. Plain .mjs: it runs under bare `node`, like the built daemon.
//
// Usage: node bare-mtls-context-server.mjs <db-file> <key.pem> <cert.pem>
//   → prints {"port":N} on stdout when listening; serves GET and PUT /peer/v1/context/<key>.
import { mtlsServer, serve } from './bare-http.mjs';
import { contextRoutes } from './context-routes.mjs';
import { openContext } from './context-sql.mjs';

const [dbFile, keyFile, certFile] = process.argv.slice(2);
const store = openContext(dbFile ?? ':memory:');

serve(mtlsServer(keyFile, certFile, contextRoutes(store, '/peer/v1/context/')), () => store.db.close());
