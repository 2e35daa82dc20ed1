import { Router, type Request } from 'express';
import { ApiError } from '../http/errors.js';
import type { PolicyService } from '../policy/service.js';
import type { Config } from '../config.js';
import { categoryLimiter } from '../http/rate-limit.js';
import type { SseHub } from '../http/sse.js';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../http/validate.js';
import { ExecRequest, JobListQuery } from '../protocol/index.js';
import type { ExecService } from '../services/exec/service.js';
import { clientGone, param } from './params.js';

const describe = (req: ExecRequest) => (req.argv ? req.argv.join(' ') : `sh -c ${req.shell}`).slice(0, 200);

export function execRoutes(deps: { exec: ExecService; policy: PolicyService; sse: SseHub; rateLimits: Config['rateLimits'] }): Router {
  const r = Router();
  const svc = deps.exec;
  const limit = categoryLimiter('exec', deps.rateLimits);

  r.post('/exec', limit, async (req, res) => {
    req.audit = { action: 'exec.run' };
    const body = parseBody(ExecRequest, req);
    req.audit.target = describe(body);
    await deps.policy.exec(req, body, clientGone(res));
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
    const principal = req.principal!.kind === 'local' ? undefined : req.principal!.id;
    const page = svc.list({ status: q.status, limit: q.limit, before: cur?.before, principal });
    res.json({ items: page.items, nextCursor: page.lastSeq === null ? null : encodeCursor({ before: page.lastSeq }) });
  });

  /** A job this caller may see: peers see only their own (and learn nothing of the others). */
  const visibleJob = (req: Request) => {
    const id = param(req, 'id');
    const job = svc.get(id);
    if (!deps.policy.canSeeJob(req, job)) throw new ApiError('job-not-found', `no job "${id}"`, { id });
    return job;
  };

  r.get('/jobs/:id', (req, res) => {
    req.audit = { action: 'jobs.get', target: param(req, 'id') };
    res.json(visibleJob(req));
  });

  r.post('/jobs/:id/cancel', limit, (req, res) => {
    req.audit = { action: 'jobs.cancel', target: param(req, 'id') };
    visibleJob(req);
    res.status(202).json(svc.cancel(param(req, 'id')));
  });

  // Live output as SSE: what was printed so far, then as it comes, then `exit` with the final job.
  r.get('/jobs/:id/stream', (req, res) => {
    req.audit = { action: 'jobs.stream', target: param(req, 'id') };
    visibleJob(req); // 404 before the stream opens
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
