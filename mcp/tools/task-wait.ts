import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { AiTask, AiTaskEvent } from '../../server/protocol/index.js';
import type { McpLog } from '../deps.js';
import type { Progress } from '../progress.js';
import { eventLine, MAX_EVENTS, outcomeOf, viewOf, type WaitText } from './task-format.js';

/** While nothing happens, a progress note this often: clients that reset their timeout on progress keep waiting. */
const HEARTBEAT_MS = 15_000;
/** Steps worth a note even right after another one (the rest, text and output, are throttled). */
const MILESTONES = new Set<AiTaskEvent['type']>(['status', 'tool-use', 'permission-request', 'permission-decision', 'result']);
/** A dropped event stream (not an ended task) is re-opened from where it stopped this many times. */
const STREAM_ATTEMPTS = 3;

export interface WaitOptions {
  since: number;
  /** 0: only look. */
  waitSeconds: number;
  signal: AbortSignal;
  progress: Progress;
  log: McpLog;
  peer: string | undefined;
  /** Send a first note saying what the call waits for (default true; a dispatch has said it already). */
  announce?: boolean;
}

/** The newest MAX_EVENTS of what a call saw, and how many older ones it dropped. */
class EventTail {
  readonly items: AiTaskEvent[] = [];
  omitted = 0;
  constructor(public last: number) {}
  add(e: AiTaskEvent): void {
    if (e.seq <= this.last) return;
    this.last = e.seq;
    this.items.push(e);
    if (this.items.length > MAX_EVENTS) {
      this.items.shift();
      this.omitted++;
    }
  }
}

/**
 * Wait for a task to end, or for one of its permission requests to need a decision, or for
 * `waitSeconds` to pass — whichever comes first — reporting its events as progress. Never cancels
 * the task: a cancelled call throws `canceled` (the caller decides what that means for the task).
 */
export async function waitForTask(client: FerryClient, id: string, o: WaitOptions): Promise<WaitText> {
  const started = Date.now();
  // The state before following. Its requests that are not pending now were decided before this
  // call, so of the requests the stream (re)plays, only those after its eventCount may wait.
  const before = await client.aiTask(id);
  const tail = new EventTail(o.since);
  if (o.waitSeconds === 0 || outcomeOf(before) !== 'still-running') return settle(client, before, tail, o, 0);

  // `progress` must grow with every note: event seqs do, and a heartbeat adds a thousandth.
  let sent = o.since;
  const note = (value: number, message: string, force = false) => {
    sent = value > sent ? value : sent + 0.001;
    void o.progress.report(sent, message, { force });
  };
  if (o.announce !== false) note(o.since, `following AI task ${id}${o.peer === undefined ? '' : ` on ${o.peer}`}: ${before.status} (waiting up to ${o.waitSeconds} s)`, true);

  const stop = new AbortController();
  let why: 'deadline' | 'caller' | undefined;
  const onAbort = () => {
    why ??= 'caller';
    stop.abort();
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();
  const deadline = setTimeout(() => {
    why ??= 'deadline';
    stop.abort();
  }, o.waitSeconds * 1000);
  let status: string = before.status;
  let lastNoteAt = Date.now();
  const beat = setInterval(() => {
    if (Date.now() - lastNoteAt < HEARTBEAT_MS) return;
    lastNoteAt = Date.now();
    const s = Math.round((Date.now() - started) / 1000);
    note(tail.last, `still ${status} (waited ${s} of ${o.waitSeconds} s)`);
  }, HEARTBEAT_MS / 3);

  // The final task when the stream said it ended (every event came before); else the task when the
  // wait stopped for a permission request; else undefined.
  let ended: AiTask | undefined;
  let asked: AiTask | undefined;
  try {
    for (let attempt = 1; !ended && !asked && !stop.signal.aborted && attempt <= STREAM_ATTEMPTS; attempt++) {
      try {
        for await (const item of client.followAiTask(id, { since: tail.last, signal: stop.signal })) {
          if (item.type === 'end') {
            ended = item.task;
            break;
          }
          const e = item.event;
          tail.add(e);
          if (e.type === 'status') status = String(e.data.status);
          lastNoteAt = Date.now();
          note(e.seq, eventLine(e), MILESTONES.has(e.type));
          if (e.type === 'permission-request' && e.seq > before.eventCount) {
            // Asked after this call began: unless someone decided it already, the caller must.
            const now = await client.aiTask(id);
            if (outcomeOf(now) !== 'still-running') {
              asked = now;
              // Ends the request to the daemon; breaking out alone would leave it open until the task ends.
              stop.abort();
              break;
            }
          }
        }
      } catch (err) {
        // A daemon's answer (no such task, peer unreachable) is the result; a dropped connection is retried.
        if (stop.signal.aborted) break;
        if (err instanceof FerryError) throw err;
        o.log('AI task event stream dropped', { taskId: id, attempt, err: String(err) });
      }
    }
  } finally {
    clearTimeout(deadline);
    clearInterval(beat);
    o.signal.removeEventListener('abort', onAbort);
  }
  if (ended) return { ...result(ended, tail, o), outcome: 'ended' };
  if (!asked && why === 'caller') throw new FerryError(0, 'canceled', 'the wait was cancelled');
  // A permission request, the wait is over, or the stream kept dropping: where the task is now.
  return settle(client, asked ?? (await client.aiTask(id)), tail, o, Math.round((Date.now() - started) / 1000));
}

/** The result for a task as it is now, with the events after what the call has seen. */
async function settle(client: FerryClient, task: AiTask, tail: EventTail, o: WaitOptions, waitedSeconds: number): Promise<WaitText> {
  // Only the newest MAX_EVENTS are returned: skip straight to them (seqs have no gaps).
  if (task.eventCount - tail.last > MAX_EVENTS) {
    tail.omitted += task.eventCount - MAX_EVENTS - tail.last;
    tail.last = task.eventCount - MAX_EVENTS;
  }
  for (;;) {
    const page = await client.aiTaskEvents(task.id, { since: tail.last, limit: 1000 });
    for (const e of page.items) tail.add(e);
    if (page.items.length === 0 || tail.last >= task.eventCount) break;
  }
  return { ...result(task, tail, o), outcome: outcomeOf(task), waitedSeconds };
}

function result(task: AiTask, tail: EventTail, o: WaitOptions): Omit<WaitText, 'outcome'> {
  return {
    task: viewOf(task),
    pending: task.permissions.filter((p) => p.status === 'pending'),
    events: tail.items,
    omittedEvents: tail.omitted,
    nextSince: tail.last,
    peer: o.peer,
  };
}
