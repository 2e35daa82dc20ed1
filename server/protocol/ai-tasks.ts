import { z } from 'zod';
import { Cursor, Limit, Timestamp, page, queryInt } from './common.js';

const NoNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL characters');

/** The coding agents Ferry can run a task with: each one's own CLI, in its structured output mode. */
export const AGENTS = ['claude', 'gemini', 'codex'] as const;
export const AgentName = z.enum(AGENTS);
export type AgentName = z.infer<typeof AgentName>;

/**
 * Dispatch a prompt to an agent on this machine (or, through `/peers/<name>/ai-tasks`, on a peer).
 * The prompt goes to the agent on its standard input, never on its command line.
 */
export const AiTaskCreate = z.strictObject({
  agent: AgentName.default('claude'),
  prompt: NoNul.min(1).max(256 * 1024),
  /** Where the agent works; the daemon's home directory when left out. */
  cwd: NoNul.min(1).max(4096).optional(),
  /** Passed to the agent's own --model flag. */
  model: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/, 'a model name: letters, digits and . _ : / @ -')
    .optional(),
  timeoutMs: z.number().int().min(1000).optional(),
});
export type AiTaskCreate = z.input<typeof AiTaskCreate>;

export const AI_TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'timed-out', 'interrupted', 'lost'] as const;
export const AiTaskStatus = z.enum(AI_TASK_STATUSES);
export type AiTaskStatus = z.infer<typeof AiTaskStatus>;
/** `interrupted`: the daemon shut down while the task ran. `lost`: the daemon died while it ran. */
export const AI_TASK_FINAL: readonly AiTaskStatus[] = AI_TASK_STATUSES.filter((s) => s !== 'queued' && s !== 'running');

export const PERMISSION_STATUSES = ['pending', 'allowed', 'denied', 'expired'] as const;
export const PermissionStatus = z.enum(PERMISSION_STATUSES);
export type PermissionStatus = z.infer<typeof PermissionStatus>;

/** An agent asked to use a tool: the dispatcher (or a person on this machine) allows or denies it. */
export const PermissionRequest = z.object({
  id: z.string(),
  taskId: z.string(),
  tool: z.string(),
  input: z.unknown(),
  status: PermissionStatus,
  requestedAt: Timestamp,
  expiresAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  /**
   * Who decided: `local` or `peer:<nodeId>`; for an expired request what ended it: `timeout`,
   * `task-ended`, `canceled`, `timed-out`, `interrupted`, `agent-gone` or `daemon-restarted`.
   */
  decidedBy: z.string().nullable(),
  message: z.string().nullable(),
});
export type PermissionRequest = z.infer<typeof PermissionRequest>;

export const AiTaskSummary = z.object({
  id: z.string(),
  agent: AgentName,
  /** The first line of the prompt, at most 200 characters. */
  title: z.string(),
  cwd: z.string(),
  model: z.string().nullable(),
  principal: z.string(),
  status: AiTaskStatus,
  exitCode: z.number().int().nullable(),
  timeoutMs: z.number().int(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  durationMs: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Permission requests waiting for a decision right now. */
  pendingPermissions: z.number().int(),
  /** How many events the task has recorded (the `since` of the next one is this number). */
  eventCount: z.number().int(),
  costUsd: z.number().nullable(),
  /** The agent's own session id, to resume it there by hand. */
  sessionId: z.string().nullable(),
});
export type AiTaskSummary = z.infer<typeof AiTaskSummary>;

export const AiTask = AiTaskSummary.extend({
  prompt: z.string(),
  /** The agent's final answer (capped), once it has given one. */
  result: z.string().nullable(),
  permissions: z.array(PermissionRequest),
});
export type AiTask = z.infer<typeof AiTask>;

export const AI_TASK_EVENT_TYPES = ['status', 'text', 'tool-use', 'tool-result', 'permission-request', 'permission-decision', 'stderr', 'result', 'notice'] as const;
export const AiTaskEventType = z.enum(AI_TASK_EVENT_TYPES);
export type AiTaskEventType = z.infer<typeof AiTaskEventType>;

/**
 * One step of a task, normalised across agents and stored in order: `seq` starts at 1 and is
 * what `since` counts. `data` by type — status: {status}; text: {text, delta?} (`delta: true`:
 * a piece of a streamed message that the next text event may continue); tool-use: {id, name,
 * input}; tool-result: {toolUseId, isError, content}; permission-request: {permission};
 * permission-decision: {permission}; stderr: {text}; result: {text, isError, costUsd, turns};
 * notice: {message}.
 */
export const AiTaskEvent = z.object({
  seq: z.number().int().min(1),
  at: Timestamp,
  type: AiTaskEventType,
  data: z.record(z.string(), z.unknown()),
});
export type AiTaskEvent = z.infer<typeof AiTaskEvent>;

export const AiTaskListQuery = z.strictObject({
  status: AiTaskStatus.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export type AiTaskListQuery = { status?: AiTaskStatus; limit?: number; cursor?: string };
export const AiTaskPage = page(AiTaskSummary);
export type AiTaskPage = z.infer<typeof AiTaskPage>;

export const AiTaskEventsQuery = z.strictObject({
  since: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 1000).optional(),
  /** `true`: an SSE stream — the stored events after `since`, then live ones, then `end`. */
  follow: z.enum(['true', 'false']).optional(),
});
/** A page of a task's events: pass `nextSince` back as `since`; `ended` once the task is over and nothing more will come. */
export const AiTaskEventPage = z.object({ items: z.array(AiTaskEvent), nextSince: z.number().int(), ended: z.boolean(), status: AiTaskStatus });
export type AiTaskEventPage = z.infer<typeof AiTaskEventPage>;

export const PermissionDecision = z.strictObject({
  behavior: z.enum(['allow', 'deny']),
  /** Told to the agent with a denial. */
  message: z.string().max(2000).optional(),
});
export type PermissionDecision = z.infer<typeof PermissionDecision>;

/** What the agent's permission-prompt tool sends the daemon (task token, not the admin token). */
export const PermissionPrompt = z.strictObject({
  tool: z.string().min(1).max(200),
  input: z.record(z.string(), z.unknown()),
  toolUseId: z.string().max(200).optional(),
});
export type PermissionPrompt = z.infer<typeof PermissionPrompt>;

/** The answer, in the shape Claude Code's --permission-prompt-tool expects. */
export type PermissionAnswer = { behavior: 'allow'; updatedInput: Record<string, unknown> } | { behavior: 'deny'; message: string };

/** Header the agent's permission tool authenticates with (a per-task token, never the admin token). */
export const TASK_TOKEN_HEADER = 'x-ferry-task-token';
