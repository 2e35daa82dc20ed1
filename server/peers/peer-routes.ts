import { Router, type Request } from 'express';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import { categoryLimiter } from '../http/rate-limit.js';
import type { PairingService, TlsPeer } from './pairing.js';
import type { PeerService } from './service.js';
import type { MessageService } from '../messages/service.js';
import type { PolicyService } from '../policy/service.js';
import { parseBody } from '../http/validate.js';
import { WireAcks, WireMessage } from '../protocol/index.js';

/** Routes only the peer listener has: who-are-you, health, unpair notices, the pairing handshake. */
export function peerOnlyRoutes(deps: {
  messages: MessageService;
  policy: PolicyService;
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

  // Messages from a paired peer: the sender is the principal (its certificate), never the body.
  const sender = (req: Request) => {
    const p = req.principal;
    if (p?.kind !== 'peer') throw new ApiError('peer-not-paired', 'only paired peers send messages');
    deps.policy.messages(req);
    return p.peer;
  };
  r.post('/messages', (req, res) => {
    req.audit = { action: 'messages.receive' };
    const from = sender(req);
    const wire = parseBody(WireMessage, req);
    req.audit.target = wire.id;
    res.json(deps.messages.receive(from, wire));
  });
  r.post('/messages/acks', (req, res) => {
    req.audit = { action: 'messages.receive-acks' };
    const from = sender(req);
    res.json({ acknowledged: deps.messages.receiveAcks(from, parseBody(WireAcks, req).acks) });
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
