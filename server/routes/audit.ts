import { Router } from 'express';
import { decodeCursor, encodeCursor, parseQuery } from '../http/validate.js';
import { AuditQuery } from '../protocol/index.js';
import type { AuditService } from '../services/audit.js';

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

export function auditRoutes(deps: { audit: AuditService }): Router {
  const r = Router();

  r.get('/audit', (req, res) => {
    req.audit = { action: 'audit.list' };
    const q = parseQuery(AuditQuery, req);
    const cur = decodeCursor(q.cursor, (v): v is { before: number } => Number.isInteger((v as { before?: unknown })?.before));
    const page = deps.audit.list(
      { principal: q.principal, action: q.action, result: q.result, since: ms(q.since), until: ms(q.until), before: cur?.before },
      q.limit ?? 100,
    );
    res.json({ items: page.items, nextCursor: page.lastId === null ? null : encodeCursor({ before: page.lastId }) });
  });

  // The same filters, every matching record, newest first, as JSON lines.
  r.get('/audit/export', (req, res) => {
    req.audit = { action: 'audit.export' };
    const q = parseQuery(AuditQuery.omit({ limit: true, cursor: true }), req);
    res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="ferry-audit.jsonl"');
    let before: number | undefined;
    for (;;) {
      const page = deps.audit.list({ principal: q.principal, action: q.action, result: q.result, since: ms(q.since), until: ms(q.until), before }, 1000);
      for (const e of page.items) res.write(JSON.stringify(e) + '\n');
      if (page.lastId === null) break;
      before = page.lastId;
    }
    res.end();
  });

  return r;
}
