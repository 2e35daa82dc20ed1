// What the bare baselines share, node:http/https only (nothing of Ferry's, no framework): a JSON
// answer, the daemon's peer-listener TLS server and peer agent, and the start line {"port":N}
// with a clean stop on SIGTERM/SIGINT.
import fs from 'node:fs';
import https from 'node:https';

export function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * node:https with the daemon's peer-listener TLS settings (TLS 1.3 only, every client must present
 * a certificate, self-signed so no chain check) and the given key and certificate files.
 */
export function mtlsServer(keyFile, certFile, handler) {
  const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false }, handler);
  // Mutual TLS, as on the daemon's peer port: a connection without a client certificate is closed.
  // Once per connection, like the daemon's own check on `secureConnection`.
  server.on('secureConnection', (socket) => {
    if (!socket.getPeerCertificate()?.raw) socket.destroy();
  });
  return server;
}

/** The daemon's peer agent: keep-alive, up to 16 connections per peer, TLS 1.3, its own certificate. */
export const peerAgent = (keyFile, certFile) =>
  new https.Agent({ keepAlive: true, maxSockets: 16, key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion: 'TLSv1.3', rejectUnauthorized: false });

/**
 * Listen on 127.0.0.1, any free port, and print {"port":N} once listening; on SIGTERM or SIGINT
 * close the server and its connections, then run `onClosed` and exit 0.
 */
export function serve(server, onClosed = () => {}) {
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
  const stop = () => {
    server.close(() => (onClosed(), process.exit(0)));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
