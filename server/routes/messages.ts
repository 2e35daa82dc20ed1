import { Router } from 'express';
import { parseBody, parseQuery } from '../http/validate.js';
import { InboxQuery, OutboxQuery, SendMessage, WaitQuery } from '../protocol/index.js';
import type { MessageService } from '../messages/service.js';
import { clientGone, param } from './params.js';

/** The local side of messages: send, outbox, inbox, acknowledge, wait. */
export function messageRoutes(deps: { messages: MessageService }): Router {
  const r = Router();
  const svc = deps.messages;

  r.post('/messages', (req, res) => {
    const body = parseBody(SendMessage, req);
    req.audit = { action: 'messages.send', target: Array.isArray(body.to) ? body.to.join(',') : body.to };
    res.status(201).json(svc.send(body));
  });
  r.get('/messages/outbox', (req, res) => {
    req.audit = { action: 'messages.outbox' };
    res.json({ items: svc.outbox(parseQuery(OutboxQuery, req).limit) });
  });
  r.get('/messages/outbox/:id', (req, res) => {
    req.audit = { action: 'messages.sent', target: param(req, 'id') };
    res.json(svc.sent(param(req, 'id')));
  });
  r.get('/messages/inbox', (req, res) => {
    req.audit = { action: 'messages.inbox' };
    const q = parseQuery(InboxQuery, req);
    res.json({ items: svc.inbox({ unacked: q.unacked === '1', from: q.from, thread: q.thread, since: q.since ? Date.parse(q.since) : undefined }, q.limit) });
  });
  r.get('/messages/inbox/:id', (req, res) => {
    req.audit = { action: 'messages.read', target: param(req, 'id') };
    res.json(svc.received(param(req, 'id')));
  });
  r.post('/messages/inbox/:id/ack', (req, res) => {
    req.audit = { action: 'messages.ack', target: param(req, 'id') };
    res.json(svc.ack(param(req, 'id')));
  });
  // Long-poll: unread messages after `after`, at once if there are any, else when the next arrives.
  r.get('/messages/wait', async (req, res) => {
    req.audit = { action: 'messages.wait' };
    const q = parseQuery(WaitQuery, req);
    res.json({ items: await svc.wait(q.after, (q.timeout ?? 30) * 1000, clientGone(res)) });
  });
  return r;
}
