import https from 'node:https';
import type tls from 'node:tls';
import express, { type Express, type RequestHandler } from 'express';
import { auditRequests } from '../http/audit-middleware.js';
import { ApiError, errorHandler, notFound } from '../http/errors.js';
import type { NodeIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import { isLoopback, PEER_PREFIX } from '../protocol/index.js';
import type { AuditService } from '../services/audit.js';
import type { PeerStore } from '../store/peer-store.js';
import { peerCertificate, peerServerOptions } from './tls.js';

/**
 * Paths an unpinned certificate may reach: the pairing handshake and `hello`, nothing else.
 * tests/api/peer-auth-coverage.test.ts walks the peer router and holds every other route to this.
 */
export const OPEN_TO_UNPAIRED = new Set([`${PEER_PREFIX}/hello`, `${PEER_PREFIX}/pair/start`, `${PEER_PREFIX}/pair/reveal`, `${PEER_PREFIX}/pair/confirm`, `${PEER_PREFIX}/pair/status`]);

export interface PeerListener {
  app: Express;
  server: https.Server;
  /** Close every open connection that presented this certificate (unpairing revokes at once). */
  dropConnections(fingerprint: string): void;
}

/**
 * The mutual-TLS listener other daemons talk to. The principal of a request is the peer whose
 * pinned fingerprint matches the client certificate of its TLS connection: never a header.
 */
export function createPeerListener(deps: {
  identity: NodeIdentity;
  peers: PeerStore;
  audit: AuditService;
  log: Logger;
  jsonLimitBytes: number;
  drainGate: RequestHandler;
  onSeen: (peer: { nodeId: string }, address: string) => void;
  mount: (app: Express) => void;
}): PeerListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const server = https.createServer(peerServerOptions(deps.identity), app);
  const byFingerprint = new Map<string, Set<tls.TLSSocket>>();
  /** A connection's client certificate, read and hashed once (not on every request it carries). */
  const certOf = new WeakMap<tls.TLSSocket, { der: Buffer; fingerprint: string }>();

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const cert = peerCertificate(socket);
    // Mutual TLS: no client certificate, no conversation.
    if (!cert) return socket.destroy();
    certOf.set(socket, cert);
    let set = byFingerprint.get(cert.fingerprint);
    if (!set) byFingerprint.set(cert.fingerprint, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) byFingerprint.delete(cert.fingerprint);
    });
  });
  server.on('tlsClientError', (err) => deps.log.debug('peer TLS handshake failed', { err }));

  app.use(auditRequests(deps.audit));
  app.use(deps.drainGate);
  app.use((req, res, next) => {
    const socket = req.socket as tls.TLSSocket;
    const cert = certOf.get(socket) ?? peerCertificate(socket);
    if (!cert) return next(new ApiError('peer-not-paired', 'no client certificate'));
    const peer = deps.peers.byFingerprint(cert.fingerprint);
    // The handshake works from the certificate itself (a paired machine may pair again).
    if (OPEN_TO_UNPAIRED.has(req.path)) req.tlsPeer = { fingerprint: cert.fingerprint, der: cert.der, remoteAddress: socket.remoteAddress ?? '' };
    if (peer?.localOnly && !isLoopback(socket.remoteAddress ?? '')) {
      // Trusted without a ceremony, for a session on this machine: never from anywhere else.
      res.once('finish', () => socket.destroy());
      deps.log.warn('a local-only peer connected from another address: refused', { peer: peer.name, address: socket.remoteAddress });
      return next(new ApiError('peer-local-only', 'this machine trusts that certificate only from this machine (a local session): pair to connect from elsewhere'));
    }
    if (peer) {
      req.principal = { id: `peer:${peer.nodeId}`, kind: 'peer', via: 'mtls', peer: { nodeId: peer.nodeId, name: peer.name } };
      deps.onSeen(peer, socket.remoteAddress ?? '');
      return next();
    }
    if (req.tlsPeer) return next();
    // Refused at once: answer, then close the connection.
    res.once('finish', () => socket.destroy());
    next(new ApiError('peer-not-paired', 'this certificate is not paired with this machine (or was unpaired)'));
  });
  app.use(PEER_PREFIX, express.json({ limit: deps.jsonLimitBytes, strict: false }));
  deps.mount(app);
  app.use(notFound);
  app.use(errorHandler(deps.log));

  return {
    app,
    server,
    dropConnections(fingerprint) {
      for (const s of byFingerprint.get(fingerprint) ?? []) s.destroy();
      byFingerprint.delete(fingerprint);
    },
  };
}
