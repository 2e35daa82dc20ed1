import { Router, type Request } from 'express';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import { categoryLimiter } from '../http/rate-limit.js';
import type { PairingService, TlsPeer } from './pairing.js';
import type { PeerService } from './service.js';

/** Routes only the peer listener has: who-are-you, health, unpair notices, the pairing handshake. */
export function peerOnlyRoutes(deps: {
  pairing: PairingService;
  peers: PeerService;
  hello: () => { nodeId: string; name: string; version: string };
  isDraining: () => boolean;
  rateLimits: Config['rateLimits'];
}): Router {
  const r = Router();
  const tlsOf = (req: Request): TlsPeer => {
    if (!req.tlsPeer) throw new ApiError('pairing-failed', 'no client certificate on this connection');
    return req.tlsPeer;
  };

  // Public on the peer port (it is what mDNS already announces): lets an address be identified.
  r.get('/hello', (req, res) => {
    req.audit = { action: 'peer.hello' };
    res.json(deps.hello());
  });

  r.get('/health', (req, res) => {
    req.audit = { action: 'peer.health' };
    res.status(deps.isDraining() ? 503 : 200).json({ status: deps.isDraining() ? 'draining' : 'ok' });
  });

  // The peer unpaired us: forget it here too.
  r.post('/unpair', (req, res) => {
    req.audit = { action: 'peer.unpaired-by-peer' };
    const p = req.principal!;
    // Revoking closes this peer's connections, this one too: answer first.
    if (p.kind === 'peer') res.once('finish', () => deps.peers.revoke(deps.peers.find(p.peer.nodeId), 'the peer unpaired'));
    res.status(204).end();
  });

  const pairing = categoryLimiter('pairing', deps.rateLimits);
  r.post('/pair/start', pairing, (req, res) => {
    req.audit = { action: 'pairing.start' };
    res.status(201).json(deps.pairing.start(tlsOf(req), req.body));
  });
  r.post('/pair/reveal', pairing, async (req, res) => {
    req.audit = { action: 'pairing.reveal' };
    res.json(await deps.pairing.reveal(tlsOf(req), req.body));
  });
  r.post('/pair/confirm', pairing, (req, res) => {
    req.audit = { action: 'pairing.remote-decision' };
    res.json(deps.pairing.remoteDecision(tlsOf(req), req.body));
  });
  r.post('/pair/status', pairing, (req, res) => {
    req.audit = { action: 'pairing.status' };
    res.json(deps.pairing.remoteStatus(tlsOf(req), req.body));
  });
  return r;
}
