import type { Statement } from 'better-sqlite3';
import type { AgentName, AiTask, AiTaskEvent, AiTaskEventType, AiTaskStatus, AiTaskSummary, PermissionRequest, PermissionStatus } from '../protocol/index.js';
import type { DB } from '../store/db.js';
import { iso, isoOrNull } from '../util/time.js';

export interface AiTaskRow {
  seq: number;
  id: string;
  agent: AgentName;
  prompt: string;
  cwd: string;
  model: string | null;
  principal: string;
  status: AiTaskStatus;
  timeout_ms: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  error_code: string | null;
  error_message: string | null;
  result: string | null;
  cost_usd: number | null;
  session_id: string | null;
  event_count: number;
  pid: number | null;
  pid_start: string | null;
  pending: number;
}

interface PermissionRow {
  id: string;
  task_id: string;
  tool: string;
  input: string;
  status: PermissionStatus;
  requested_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  message: string | null;
}

export type TaskEnd = Pick<AiTaskRow, 'id' | 'status' | 'exit_code' | 'error_code' | 'error_message' | 'ended_at'>;


export function titleOf(prompt: string): string {
  const line = prompt.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function toTaskSummary(r: AiTaskRow): AiTaskSummary {
  const end = r.ended_at;
  return {
    id: r.id,
    agent: r.agent,
    title: titleOf(r.prompt),
    cwd: r.cwd,
    model: r.model,
    principal: r.principal,
    status: r.status,
    exitCode: r.exit_code,
    timeoutMs: r.timeout_ms,
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(end),
    durationMs: end === null || r.started_at === null ? null : end - r.started_at,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    pendingPermissions: r.pending,
    eventCount: r.event_count,
    costUsd: r.cost_usd,
    sessionId: r.session_id,
  };
}

export function toPermission(r: PermissionRow): PermissionRequest {
  return {
    id: r.id,
    taskId: r.task_id,
    tool: r.tool,
    input: JSON.parse(r.input) as unknown,
    status: r.status,
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    decidedAt: isoOrNull(r.decided_at),
    decidedBy: r.decided_by,
    message: r.message,
  };
}

const TASK_COLS = `t.*, (SELECT count(*) FROM ai_task_permissions p WHERE p.task_id = t.id AND p.status = 'pending') AS pending`;

/** Rows of AI tasks, their events and their permission requests. Every statement prepared once. */
export class AiTaskStore {
  private readonly s: Record<'insert' | 'get' | 'list' | 'queued' | 'countQueued' | 'started' | 'finish' | 'result' | 'session' | 'addEvent' | 'bumpEvents' | 'eventCount' | 'events' | 'orphans' | 'running' | 'insertPermission' | 'permission' | 'permissions' | 'decide' | 'pendingOf' | 'expireAllPending' | 'prune', Statement>;

  constructor(private readonly db: DB) {
    this.s = {
      insert: db.prepare(`INSERT INTO ai_tasks (id, agent, prompt, cwd, model, principal, status, timeout_ms, created_at)
        VALUES (@id, @agent, @prompt, @cwd, @model, @principal, 'queued', @timeout_ms, @created_at)`),
      get: db.prepare(`SELECT ${TASK_COLS} FROM ai_tasks t WHERE t.id = ?`),
      list: db.prepare(`SELECT ${TASK_COLS} FROM ai_tasks t
        WHERE (@status IS NULL OR t.status = @status) AND (@principal IS NULL OR t.principal = @principal) AND t.seq < @before
        ORDER BY t.seq DESC LIMIT @limit`),
      queued: db.prepare(`SELECT ${TASK_COLS} FROM ai_tasks t WHERE t.status = 'queued' ORDER BY t.seq LIMIT ?`),
      countQueued: db.prepare(`SELECT count(*) AS n FROM ai_tasks WHERE status = 'queued'`),
      started: db.prepare(`UPDATE ai_tasks SET status = 'running', started_at = @at, pid = @pid, pid_start = @pid_start WHERE id = @id AND status = 'queued'`),
      finish: db.prepare(`UPDATE ai_tasks SET status = @status, exit_code = @exit_code, error_code = @error_code, error_message = @error_message,
        ended_at = @ended_at, pid = NULL, pid_start = NULL WHERE id = @id`),
      result: db.prepare(`UPDATE ai_tasks SET result = @result, cost_usd = coalesce(@cost_usd, cost_usd), session_id = coalesce(@session_id, session_id) WHERE id = @id`),
      session: db.prepare(`UPDATE ai_tasks SET session_id = @session_id WHERE id = @id`),
      bumpEvents: db.prepare(`UPDATE ai_tasks SET event_count = event_count + 1 WHERE id = ? RETURNING event_count AS seq`),
      addEvent: db.prepare(`INSERT INTO ai_task_events (task_id, seq, at, type, data) VALUES (@task_id, @seq, @at, @type, @data)`),
      eventCount: db.prepare(`SELECT event_count AS n FROM ai_tasks WHERE id = ?`),
      events: db.prepare(`SELECT seq, at, type, data FROM ai_task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      orphans: db.prepare(`SELECT id, pid, pid_start FROM ai_tasks WHERE status = 'running' AND pid IS NOT NULL`),
      running: db.prepare(`SELECT id FROM ai_tasks WHERE status = 'running'`),
      insertPermission: db.prepare(`INSERT INTO ai_task_permissions (id, task_id, tool, input, status, requested_at, expires_at)
        VALUES (@id, @task_id, @tool, @input, 'pending', @requested_at, @expires_at) RETURNING *`),
      permission: db.prepare(`SELECT * FROM ai_task_permissions WHERE id = ? AND task_id = ?`),
      permissions: db.prepare(`SELECT * FROM ai_task_permissions WHERE task_id = ? ORDER BY requested_at, rowid`),
      decide: db.prepare(`UPDATE ai_task_permissions SET status = @status, decided_at = @at, decided_by = @by, message = @message
        WHERE id = @id AND status = 'pending' RETURNING *`),
      pendingOf: db.prepare(`SELECT * FROM ai_task_permissions WHERE task_id = ? AND status = 'pending'`),
      prune: db.prepare(`DELETE FROM ai_tasks WHERE ended_at IS NOT NULL AND ended_at < ? AND status NOT IN ('queued', 'running')`),
      expireAllPending: db.prepare(`UPDATE ai_task_permissions SET status = 'expired', decided_at = @at, decided_by = 'daemon-restarted'
        WHERE status = 'pending'`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(t: Pick<AiTaskRow, 'id' | 'agent' | 'prompt' | 'cwd' | 'model' | 'principal' | 'timeout_ms' | 'created_at'>): AiTaskRow {
    this.s.insert.run(t);
    return this.get(t.id)!;
  }
  get(id: string): AiTaskRow | undefined {
    return this.s.get.get(id) as AiTaskRow | undefined;
  }
  list(status: AiTaskStatus | null, before: number, limit: number, principal: string | null): AiTaskRow[] {
    return this.s.list.all({ status, before, limit, principal }) as AiTaskRow[];
  }
  /** The oldest queued tasks, first in first out. */
  queued(limit: number): AiTaskRow[] {
    return this.s.queued.all(limit) as AiTaskRow[];
  }
  countQueued(): number {
    return (this.s.countQueued.get() as { n: number }).n;
  }
  markStarted(id: string, at: number, pid: number | null, pidStart: string | null): boolean {
    return this.s.started.run({ id, at, pid, pid_start: pidStart }).changes === 1;
  }
  finish(end: TaskEnd): void {
    this.s.finish.run(end);
  }
  setResult(id: string, r: { result: string | null; costUsd: number | null; sessionId: string | null }): void {
    this.s.result.run({ id, result: r.result, cost_usd: r.costUsd, session_id: r.sessionId });
  }
  setSession(id: string, sessionId: string): void {
    this.s.session.run({ id, session_id: sessionId });
  }

  /** Append an event; returns it with its sequence number. Call inside a transaction. */
  addEvent(taskId: string, at: number, type: AiTaskEventType, data: Record<string, unknown>): AiTaskEvent {
    const { seq } = this.s.bumpEvents.get(taskId) as { seq: number };
    this.s.addEvent.run({ task_id: taskId, seq, at, type, data: JSON.stringify(data) });
    return { seq, at: iso(at), type, data };
  }
  /** How many events a task has (undefined: no such task). */
  eventCount(taskId: string): number | undefined {
    return (this.s.eventCount.get(taskId) as { n: number } | undefined)?.n;
  }
  events(taskId: string, since: number, limit: number): AiTaskEvent[] {
    return (this.s.events.all(taskId, since, limit) as { seq: number; at: number; type: AiTaskEventType; data: string }[]).map((e) => ({
      seq: e.seq,
      at: iso(e.at),
      type: e.type,
      data: JSON.parse(e.data) as Record<string, unknown>,
    }));
  }

  orphans(): { id: string; pid: number; pid_start: string | null }[] {
    return this.s.orphans.all() as { id: string; pid: number; pid_start: string | null }[];
  }
  runningIds(): string[] {
    return (this.s.running.all() as { id: string }[]).map((r) => r.id);
  }

  insertPermission(p: { id: string; task_id: string; tool: string; input: unknown; requested_at: number; expires_at: number }): PermissionRequest {
    return toPermission(this.s.insertPermission.get({ ...p, input: JSON.stringify(p.input) }) as PermissionRow);
  }
  permission(taskId: string, id: string): PermissionRequest | undefined {
    const r = this.s.permission.get(id, taskId) as PermissionRow | undefined;
    return r && toPermission(r);
  }
  permissions(taskId: string): PermissionRequest[] {
    return (this.s.permissions.all(taskId) as PermissionRow[]).map(toPermission);
  }
  pendingPermissions(taskId: string): PermissionRequest[] {
    return (this.s.pendingOf.all(taskId) as PermissionRow[]).map(toPermission);
  }
  /** Decide a pending request; undefined when it was no longer pending. */
  decide(id: string, status: Exclude<PermissionStatus, 'pending'>, at: number, by: string, message: string | null): PermissionRequest | undefined {
    const r = this.s.decide.get({ id, status, at, by, message }) as PermissionRow | undefined;
    return r && toPermission(r);
  }
  /** Delete ended tasks older than `before` (their events and permission requests go with them). */
  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }
  /** At start: nobody is waiting for what a previous run of the daemon asked. */
  expireAllPending(at: number): number {
    return this.s.expireAllPending.run({ at }).changes;
  }

  view(row: AiTaskRow): AiTask {
    return { ...toTaskSummary(row), prompt: row.prompt, result: row.result, permissions: this.permissions(row.id) };
  }
}
