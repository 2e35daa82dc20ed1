import { Router, type Request, type RequestHandler } from 'express';
import type { AiTaskService } from '../ai-tasks/service.js';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import { categoryLimiter } from '../http/rate-limit.js';
import type { SseHub } from '../http/sse.js';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../http/validate.js';
import type { PolicyService } from '../policy/service.js';
import { AiTaskCreate, AiTaskEventsQuery, AiTaskListQuery, PermissionDecision, PermissionPrompt, TASK_TOKEN_HEADER } from '../protocol/index.js';
import { clientGone, param } from './params.js';

/**
 * AI tasks, for the local API and (the same router) the peer listener: a peer dispatches through
 * its policy's `ai-tasks` scope and sees, follows, cancels and answers only the tasks it started.
 */
export function aiTaskRoutes(deps: { tasks: AiTaskService; policy: PolicyService; sse: SseHub; rateLimits: Config['rateLimits'] }): Router {
  const r = Router();
  const svc = deps.tasks;
  const limit = categoryLimiter('aiTasks', deps.rateLimits);

  r.post('/ai-tasks', limit, async (req, res) => {
    req.audit = { action: 'ai-tasks.create' };
    const body = parseBody(AiTaskCreate, req);
    req.audit.target = `${body.agent}: ${body.prompt.slice(0, 120)}`;
    await deps.policy.aiTask(req, body, clientGone(res));
    const task = svc.create(body, req.principal!.id);
    req.audit.target = task.id;
    res.status(202).location(`/api/v1/ai-tasks/${task.id}`).json(task);
  });

  r.get('/ai-tasks', (req, res) => {
    req.audit = { action: 'ai-tasks.list' };
    const q = parseQuery(AiTaskListQuery, req);
    const cur = decodeCursor(q.cursor, (v): v is { before: number } => Number.isInteger((v as { before?: unknown })?.before));
    const principal = req.principal!.kind === 'local' ? undefined : req.principal!.id;
    const page = svc.list({ status: q.status, limit: q.limit, before: cur?.before, principal });
    res.json({ items: page.items, nextCursor: page.lastSeq === null ? null : encodeCursor({ before: page.lastSeq }) });
  });

  /** The id of a task this caller may see: peers see only their own (and learn nothing of others). */
  const visible = (req: Request) => {
    const id = param(req, 'id');
    if (!deps.policy.canSeeJob(req, { principal: svc.principalOf(id) })) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    return id;
  };

  r.get('/ai-tasks/:id', (req, res) => {
    req.audit = { action: 'ai-tasks.get', target: param(req, 'id') };
    res.json(svc.get(visible(req)));
  });

  r.post('/ai-tasks/:id/cancel', limit, (req, res) => {
    req.audit = { action: 'ai-tasks.cancel', target: param(req, 'id') };
    res.status(202).json(svc.cancel(visible(req)));
  });

  // The event log: a page after `since` as JSON, or with follow=true an SSE stream that goes on
  // live and ends with `end` (the final task) — resumable from any `since`.
  r.get('/ai-tasks/:id/events', (req, res) => {
    req.audit = { action: 'ai-tasks.events', target: param(req, 'id') };
    const id = visible(req);
    const q = parseQuery(AiTaskEventsQuery, req);
    const since = q.since ?? 0;
    if (q.follow !== 'true') {
      res.json(svc.events(id, since, q.limit ?? 200));
      return;
    }
    const stream = deps.sse.start(req, res);
    const stop = svc.follow(id, since, (item) => {
      if (item.type === 'event') stream.send('task-event', item.event, item.event.seq);
      else {
        stream.send('end', item.task);
        stream.close();
      }
    });
    stream.onClose(stop);
  });

  r.post('/ai-tasks/:id/permissions/:permissionId', limit, (req, res) => {
    req.audit = { action: 'ai-tasks.permission-decide', target: `${param(req, 'id')}/${param(req, 'permissionId')}` };
    const id = visible(req);
    const decision = parseBody(PermissionDecision, req);
    req.audit.target += ` ${decision.behavior}`;
    res.json(svc.decide(id, param(req, 'permissionId'), decision, req.principal!.id));
  });

  return r;
}

/**
 * The one route the agent's permission tool calls, mounted before the admin-token check: it
 * authenticates with its task's own token (header, constant time) and can only ask — deciding
 * takes the admin token or the dispatching peer. Wrong or missing token: the same 401 as anywhere.
 */
export function aiTaskPermissionPromptRoute(deps: { tasks: AiTaskService; jsonBody: RequestHandler[] }): Router {
  const r = Router();
  const taskToken: RequestHandler = (req, _res, next) => {
    req.audit = { action: 'ai-tasks.permission-prompt', target: param(req, 'id') };
    const token = req.headers[TASK_TOKEN_HEADER];
    // Not this task's token: skip to the admin API's own authentication (a 401 without one).
    if (!deps.tasks.checkToken(param(req, 'id'), typeof token === 'string' ? token : undefined)) return next('route');
    req.taskPrincipal = `task:${param(req, 'id')}`;
    next();
  };
  r.post('/ai-tasks/:id/permission-prompt', taskToken, ...deps.jsonBody, async (req, res) => {
    const prompt = parseBody(PermissionPrompt, req);
    req.audit!.target = `${param(req, 'id')} ${prompt.tool}`;
    res.json(await deps.tasks.requestPermission(param(req, 'id'), prompt, clientGone(res)));
  });
  return r;
}
