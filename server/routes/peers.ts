import { Router } from 'express';
import { parseBody, parseQuery } from '../http/validate.js';
import { AddManualPeer, ApprovalsQuery, ConfirmRequest, DecideApproval, JoinRequest, PatchPeer, TrustPeer, DEFAULT_PEER_PORT, type PeerList } from '../protocol/index.js';
import type { ApprovalService } from '../policy/approvals.js';
import type { PairingService } from '../peers/pairing.js';
import type { PeerService } from '../peers/service.js';
import { param } from './params.js';

/** Local-only control of peers: pairing, the peer list, policies, approvals. Never on the peer port. */
export function peerControlRoutes(deps: { pairing: PairingService; peers: PeerService; approvals: ApprovalService }): Router {
  const r = Router();

  // ── pairing ──
  r.post('/pairing', (req, res) => {
    req.audit = { action: 'pairing.open' };
    res.status(201).json(deps.pairing.openWindow());
  });
  r.get('/pairing', (req, res) => {
    req.audit = { action: 'pairing.show' };
    res.json(deps.pairing.overview());
  });
  r.delete('/pairing', (req, res) => {
    req.audit = { action: 'pairing.close' };
    res.json({ closed: deps.pairing.closeWindow() });
  });
  r.post('/pairing/join', async (req, res) => {
    const body = parseBody(JoinRequest, req);
    req.audit = { action: 'pairing.join', target: `${body.address}:${body.port ?? DEFAULT_PEER_PORT}` };
    res.status(201).json(await deps.pairing.join({ address: body.address, port: body.port ?? DEFAULT_PEER_PORT, code: body.code }));
  });
  r.get('/pairing/sessions/:id', (req, res) => {
    req.audit = { action: 'pairing.session', target: param(req, 'id') };
    res.json(deps.pairing.session(param(req, 'id')));
  });
  r.post('/pairing/sessions/:id/confirm', async (req, res) => {
    req.audit = { action: 'pairing.confirm', target: param(req, 'id') };
    const body = parseBody(ConfirmRequest, req);
    res.json(await deps.pairing.confirm(param(req, 'id'), body.policy, (body.waitSeconds ?? 60) * 1000));
  });
  r.post('/pairing/sessions/:id/reject', async (req, res) => {
    req.audit = { action: 'pairing.reject', target: param(req, 'id') };
    res.json(await deps.pairing.reject(param(req, 'id')));
  });

  // ── peers ──
  r.get('/peers', (req, res) => {
    req.audit = { action: 'peers.list' };
    const body: PeerList = { items: deps.peers.list() };
    res.json(body);
  });
  r.post('/peers', async (req, res) => {
    const body = parseBody(AddManualPeer, req);
    req.audit = { action: 'peers.add', target: `${body.address}:${body.port ?? DEFAULT_PEER_PORT}` };
    res.status(201).json(await deps.peers.addManual(body.address, body.port));
  });
  r.post('/peers/trust', (req, res) => {
    const body = parseBody(TrustPeer, req);
    req.audit = { action: 'peers.trust', target: body.name };
    res.status(201).json(deps.peers.trust(body));
  });
  r.delete('/peers/:peer', async (req, res) => {
    req.audit = { action: 'peers.remove', target: param(req, 'peer') };
    res.json(await deps.peers.remove(param(req, 'peer')));
  });
  r.patch('/peers/:peer', (req, res) => {
    req.audit = { action: 'peers.update', target: param(req, 'peer') };
    res.json(deps.peers.patch(param(req, 'peer'), parseBody(PatchPeer, req)));
  });

  // ── approvals ──
  r.get('/approvals', (req, res) => {
    req.audit = { action: 'approvals.list' };
    res.json({ items: deps.approvals.list(parseQuery(ApprovalsQuery, req).status) });
  });
  r.post('/approvals/:id', (req, res) => {
    const body = parseBody(DecideApproval, req);
    req.audit = { action: `approvals.${body.decision}`, target: param(req, 'id') };
    res.json(deps.approvals.decide(param(req, 'id'), body.decision, body.remember ?? false));
  });
  return r;
}
