import { Router, type Request } from 'express';
import type { Config } from '../config.js';
import { categoryLimiter } from '../http/rate-limit.js';
import type { SseHub } from '../http/sse.js';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../http/validate.js';
import { ExecRequest, JobListQuery } from '../protocol/index.js';
import type { ExecService } from '../services/exec/service.js';

const describe = (req: ExecRequest) => (req.argv ? req.argv.join(' ') : `sh -c ${req.shell}`).slice(0, 200);

/** A single path parameter (Express types allow arrays for wildcards; ours are plain). */
const param = (req: Request, name: string) => String((req.params as Record<string, unknown>)[name]);

export function execRoutes(deps: { exec: ExecService; sse: SseHub; rateLimits: Config['rateLimits'] }): Router {
  const r = Router();
  const svc = deps.exec;
  const limit = categoryLimiter('exec', deps.rateLimits);

  r.post('/exec', limit, async (req, res) => {
    req.audit = { action: 'exec.run' };
    const body = parseBody(ExecRequest, req);
    req.audit.target = describe(body);
    const { job, done } = svc.start(body, req.principal!.id);
    if (body.wait === false) {
      res.status(202).location(`/api/v1/jobs/${job.id}`).json(job);
      return;
    }
    res.json(await done);
  });

  r.get('/jobs', (req, res) => {
    req.audit = { action: 'jobs.list' };
    const q = parseQuery(JobListQuery, req);
    const cur = decodeCursor(q.cursor, (v): v is { before: number } => Number.isInteger((v as { before?: unknown })?.before));
    const page = svc.list({ status: q.status, limit: q.limit, before: cur?.before });
    res.json({ items: page.items, nextCursor: page.lastSeq === null ? null : encodeCursor({ before: page.lastSeq }) });
  });

  r.get('/jobs/:id', (req, res) => {
    req.audit = { action: 'jobs.get', target: param(req, 'id') };
    res.json(svc.get(param(req, 'id')));
  });

  r.post('/jobs/:id/cancel', limit, (req, res) => {
    req.audit = { action: 'jobs.cancel', target: param(req, 'id') };
    res.status(202).json(svc.cancel(param(req, 'id')));
  });

  // Live output as SSE: what was printed so far, then as it comes, then `exit` with the final job.
  r.get('/jobs/:id/stream', (req, res) => {
    req.audit = { action: 'jobs.stream', target: param(req, 'id') };
    svc.get(param(req, 'id')); // 404 before the stream opens
    const stream = deps.sse.start(req, res);
    const stop = svc.follow(param(req, 'id'), (item) => {
      if (item.type === 'output') stream.send('output', { stream: item.stream, data: item.data });
      else {
        stream.send('exit', item.job);
        stream.close();
      }
    });
    stream.onClose(stop);
  });

  return r;
}
