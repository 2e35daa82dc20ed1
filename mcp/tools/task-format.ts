import { z } from 'zod';
import { AI_TASK_FINAL, AiTask, AiTaskEvent, PermissionRequest, type AiTaskSummary } from '../../server/protocol/index.js';
import { clip, preview, TEXT_OUTPUT_LIMIT } from './format.js';

export const TaskIdArg = z.string().min(1).max(128).describe('The AI task id (from ferry_dispatch_task or ferry_list_tasks).');
export const SinceArg = z
  .number()
  .int()
  .min(0)
  .describe('Only events after this position: the nextSince of the previous result (0 or left out: from the start).');

/**
 * How long ferry_dispatch_task and ferry_wait_for_task wait by default, and at most. The default
 * stays below Gemini CLI's 10-minute tool timeout: a call the client gives up on is a cancelled
 * call, and cancelling a waiting dispatch cancels its task.
 */
export const DEFAULT_WAIT_S = 300;
export const MAX_WAIT_S = 3600;

export const WaitSecondsArg = z
  .number()
  .int()
  .min(0)
  .max(MAX_WAIT_S)
  .describe(
    `Seconds to wait at most (0–${MAX_WAIT_S}, default ${DEFAULT_WAIT_S}); then the call returns the task as it is (still running), not an error. ` +
      "Keep it below your client's tool-call timeout.",
  );

/** A task as the wait tools return it: everything but the prompt, which the caller already has (ferry_task_status shows it). */
export const TaskView = AiTask.omit({ prompt: true });
export type TaskView = z.infer<typeof TaskView>;

export const WAIT_OUTCOMES = ['ended', 'permission-pending', 'still-running'] as const;
export type WaitOutcome = (typeof WAIT_OUTCOMES)[number];

/** What ferry_dispatch_task and ferry_wait_for_task return. */
export const WaitOutput = {
  task: TaskView,
  outcome: z
    .enum(WAIT_OUTCOMES)
    .describe('Why the call returned: the task ended; a permission request waits for a decision; or it is still running (queued, or the wait is over).'),
  pending: z.array(PermissionRequest).describe('Permission requests of the task waiting for a decision now (allow or deny them with ferry_decide_task_permission).'),
  events: z.array(AiTaskEvent).describe('The newest of the events after `since`, oldest first.'),
  omittedEvents: z.number().int().describe('Events after `since` left out of `events` (the oldest ones); ferry_task_status with a since pages through them.'),
  nextSince: z.number().int().describe('The position of the last event returned: pass it as since next time.'),
};

/** At most this many events in one result: the newest ones (structuredContent; the text shows them shortened). */
export const MAX_EVENTS = 50;

export const isFinal = (t: Pick<AiTaskSummary, 'status'>) => AI_TASK_FINAL.includes(t.status);

export function outcomeOf(task: Pick<AiTaskSummary, 'status' | 'pendingPermissions'>): WaitOutcome {
  if (isFinal(task)) return 'ended';
  return task.pendingPermissions > 0 ? 'permission-pending' : 'still-running';
}

export function viewOf(task: AiTask): TaskView {
  const { prompt: _prompt, ...view } = task;
  return view;
}

/** `, peer: "b"` for the next calls a text suggests, or nothing for this machine. */
export function peerArg(peer: string | undefined): string {
  return peer === undefined ? '' : `, peer: ${JSON.stringify(peer)}`;
}

function oneLine(s: unknown, limit: number): string {
  const text = (typeof s === 'string' ? s : (JSON.stringify(s) ?? '')).replace(/\s+/g, ' ').trim();
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** One event on one line, for progress notes (short) and result texts (longer). */
export function eventLine(e: AiTaskEvent, limit = 160): string {
  const d = e.data;
  const p = d.permission as PermissionRequest | undefined;
  switch (e.type) {
    case 'status': {
      const err = d.error as { code?: string; message?: string } | undefined;
      return `status: ${String(d.status)}${err?.code ? ` [${err.code}: ${oneLine(err.message, limit)}]` : ''}`;
    }
    case 'text':
      return `text: ${oneLine(d.text, limit)}`;
    case 'tool-use':
      return `tool-use: ${String(d.name)} ${preview(d.input, limit)}`;
    case 'tool-result':
      return `tool-result${d.isError === true ? ' (error)' : ''}: ${oneLine(d.content, limit)}`;
    case 'permission-request':
      return `permission request ${p?.id ?? '?'}: ${p?.tool ?? '?'} ${preview(p?.input, limit)}`;
    case 'permission-decision':
      return `permission ${p?.id ?? '?'} ${p?.status ?? '?'}${p?.decidedBy ? ` (by ${p.decidedBy})` : ''}${p?.message ? `: ${oneLine(p.message, limit)}` : ''}`;
    case 'result':
      return `result${d.isError === true ? ' (error)' : ''}: ${oneLine(d.text, limit)}`;
    case 'stderr':
      return `stderr: ${oneLine(d.text, limit)}`;
    case 'notice':
      return `notice: ${oneLine(d.message, limit)}`;
  }
}

/** One line about a task; `peer` names the machine it runs on when that is not this one. */
export function taskHeadline(t: AiTaskSummary, peer?: string): string {
  const on = peer === undefined ? '' : ` on ${peer}`;
  const model = t.model ? `, model ${t.model}` : '';
  const took = t.durationMs !== null ? ` in ${(t.durationMs / 1000).toFixed(1)} s` : '';
  const cost = t.costUsd !== null ? `, cost $${t.costUsd.toFixed(4)}` : '';
  const how =
    t.status === 'queued'
      ? 'is queued (waiting for a free slot)'
      : t.status === 'running'
        ? t.pendingPermissions > 0
          ? `is running, waiting for a decision on ${t.pendingPermissions} permission request(s)`
          : 'is running'
        : `${t.status}${t.exitCode !== null && t.status === 'failed' ? ` (exit code ${t.exitCode})` : ''}${took}${cost}`;
  const err = t.error ? ` [${t.error.code}: ${t.error.message}]` : '';
  return `AI task ${t.id}${on} (${t.agent}${model}: "${t.title}") ${how}${err}`;
}

export function permissionLine(p: PermissionRequest): string {
  return `- permission ${p.id}: ${p.tool} ${preview(p.input, 400)} (asked ${p.requestedAt}, denied automatically at ${p.expiresAt} if nobody decides)`;
}

export interface WaitText {
  task: TaskView;
  outcome: WaitOutcome;
  pending: PermissionRequest[];
  events: AiTaskEvent[];
  omittedEvents: number;
  nextSince: number;
  peer: string | undefined;
  /** What the call waited for, in seconds (for the still-running text). */
  waitedSeconds?: number;
}

export function waitData(r: WaitText) {
  return { task: r.task, outcome: r.outcome, pending: r.pending, events: r.events, omittedEvents: r.omittedEvents, nextSince: r.nextSince };
}

/** The text of a wait result: the task, its answer or what it waits for, its new events, and the next call to make. */
export function waitText(r: WaitText): string {
  const { task, peer } = r;
  const parts = [taskHeadline(task, peer)];
  if (task.result !== null && r.outcome === 'ended') {
    parts.push(`--- result ---\n${clip(task.result, TEXT_OUTPUT_LIMIT, 'structuredContent.task.result')}`);
  }
  if (r.events.length > 0) {
    const first = r.events[0]!.seq;
    const omitted = r.omittedEvents > 0 ? ` (${r.omittedEvents} earlier ones not shown: ferry_task_status {taskId, since} reads them)` : '';
    const lines = r.events.map((e) => `[${e.seq}] ${eventLine(e, 300)}`).join('\n');
    parts.push(`--- events ${first}–${r.nextSince}${omitted} ---\n${clip(lines, TEXT_OUTPUT_LIMIT, 'structuredContent.events')}`);
  }
  const ids = `taskId: ${JSON.stringify(task.id)}`;
  const wait = `ferry_wait_for_task {${ids}, since: ${r.nextSince}${peerArg(peer)}}`;
  if (r.outcome === 'permission-pending') {
    parts.push(
      `The agent is waiting for a decision on:\n${r.pending.map(permissionLine).join('\n')}\n` +
        `Decide each with ferry_decide_task_permission {${ids}, permissionId, behavior: "allow" | "deny", message?${peerArg(peer)}} ` +
        '(allow only what the task needs and the user would accept; ask the user when unsure), ' +
        `then continue with ${wait}.`,
    );
  } else if (r.outcome === 'still-running') {
    const waited = r.waitedSeconds ? ` after waiting ${r.waitedSeconds} s` : '';
    parts.push(`Still ${task.status}${waited}. Continue with ${wait}, or stop it with ferry_cancel_task {${ids}${peerArg(peer)}}.`);
  }
  return parts.join('\n');
}
