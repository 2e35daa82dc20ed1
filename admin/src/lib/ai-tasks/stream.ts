// A relative import (not $ferry) keeps this module loadable by the root test runner.
import type { AiTask, AiTaskEvent, AiTaskStatus, AiTaskSummary, PermissionRequest } from '../../../../server/protocol/index.js';

/** What the admin holds of one task's numbered event stream. */
export interface TaskStream {
  events: AiTaskEvent[];
  /** The seq of the newest event held: the `since` to catch up from. */
  lastSeq: number;
  /** The browser dropped the oldest events to stay responsive (the daemon still has them). */
  trimmed: boolean;
}

/** Past this many events per task the oldest are dropped from the page (not from the daemon). */
export const MAX_EVENTS = 5_000;

export function emptyStream(): TaskStream {
  return { events: [], lastSeq: 0, trimmed: false };
}

/**
 * Add the events that continue the stream, in order. Ones already held (a replay, or a page that
 * overlaps live events) are skipped. Returns false at a gap: something was missed, so the caller
 * has to catch up `since` lastSeq; nothing past the gap is added.
 */
export function appendEvents(stream: TaskStream, items: readonly AiTaskEvent[]): boolean {
  for (const event of items) {
    if (event.seq <= stream.lastSeq) continue;
    if (event.seq !== stream.lastSeq + 1) return false;
    stream.events.push(event);
    stream.lastSeq = event.seq;
  }
  if (stream.events.length > MAX_EVENTS) {
    stream.events.splice(0, stream.events.length - MAX_EVENTS);
    stream.trimmed = true;
  }
  return true;
}

const STAGE: Record<AiTaskStatus, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, canceled: 2, 'timed-out': 2, interrupted: 2, lost: 2 };

export const isFinal = (status: AiTaskStatus): boolean => STAGE[status] === 2;
export const isActive = (status: AiTaskStatus): boolean => !isFinal(status);

/**
 * Is `incoming` at least as new as `current`? HTTP answers and socket events race, so an older
 * copy can arrive last. A task only moves forward (queued → running → an end), and every change
 * of it records an event, so its event count orders two copies of the same stage.
 */
export function isNewer(incoming: AiTaskSummary, current: AiTaskSummary): boolean {
  const a = STAGE[incoming.status];
  const b = STAGE[current.status];
  if (a !== b) return a > b;
  return incoming.eventCount >= current.eventCount;
}

/** Drop the detail fields so a task fits the list. */
export function toSummary(task: AiTaskSummary | AiTask): AiTaskSummary {
  const { prompt: _prompt, result: _result, permissions: _permissions, ...summary } = task as AiTask;
  return summary;
}

/** Put a permission request into a task's list; a decided one never goes back to pending. */
export function upsertPermission(list: PermissionRequest[], p: PermissionRequest): void {
  const i = list.findIndex((x) => x.id === p.id);
  if (i < 0) list.push(p);
  else if (!(p.status === 'pending' && list[i]?.status !== 'pending')) list[i] = p;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A tool's input or output for a person: strings as they are, anything else as indented JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
