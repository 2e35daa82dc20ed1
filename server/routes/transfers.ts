import { Router } from 'express';
import { parseBody, parseQuery } from '../http/validate.js';
import { TransferCreate, TransferQuery } from '../protocol/index.js';
import type { TransferService } from '../files/transfers.js';
import { param } from './params.js';

/** Transfers are the local admin's: the daemon moves files for it (never on the peer listener). */
export function transferRoutes(deps: { transfers: TransferService }): Router {
  const r = Router();
  r.post('/transfers', (req, res) => {
    const body = parseBody(TransferCreate, req);
    req.audit = { action: `transfers.${body.direction}`, target: `${body.peer ?? 'local'}:${body.direction === 'push' ? body.destination : body.source}` };
    res.status(202).json(deps.transfers.start(body));
  });
  r.get('/transfers', (req, res) => {
    req.audit = { action: 'transfers.list' };
    const q = parseQuery(TransferQuery, req);
    res.json({ items: deps.transfers.list(q.state, q.limit) });
  });
  r.get('/transfers/:id', (req, res) => {
    req.audit = { action: 'transfers.get', target: param(req, 'id') };
    res.json(deps.transfers.get(param(req, 'id')));
  });
  r.post('/transfers/:id/cancel', (req, res) => {
    req.audit = { action: 'transfers.cancel', target: param(req, 'id') };
    res.status(202).json(deps.transfers.cancel(param(req, 'id')));
  });
  return r;
}
