import os from 'node:os';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import { localClient } from '../../server/client/local.js';
import type { AiTask, AiTaskEvent, AiTaskSummary } from '../../server/protocol/index.js';
import { CliError, describeError } from '../errors.js';
import { EXIT_TIMED_OUT } from './job-exit.js';
import { sleep } from './interrupt.js';

/** How long a broken event stream is retried before the command gives up on it. */
const RECONNECT_BUDGET_MS = 30_000;
const BACKOFF_MS = [250, 500, 1000, 2000];

export interface FollowOptions {
  /** The last seq already handled: the stream starts after it. */
  since?: number;
  signal: AbortSignal;
  onEvent: (event: AiTaskEvent) => void | Promise<void>;
  /** The stream broke and is being resumed after `since` (told once per break). */
  onReconnecting?: (since: number, err: unknown) => void;
}

/**
 * A task's events in order, each once, until its end; resolves with the final task, or null
 * when `signal` aborted first. A stream that breaks (daemon restarted, connection cut) is resumed
 * after the last seq seen, with a fresh client each time (`connect`: the daemon may have come back
 * on another port); answers that are errors (not found, refused) are not retried.
 */
export async function followTask(connect: () => FerryClient, first: FerryClient, id: string, opts: FollowOptions): Promise<AiTask | null> {
  let since = opts.since ?? 0;
  let client: FerryClient | null = first;
  let brokenSince: number | null = null;
  let attempt = 0;
  for (;;) {
    let failure: unknown = new CliError('stream-ended', 'the daemon closed the event stream before the task ended');
    try {
      client ??= connect();
      for await (const item of client.followAiTask(id, { since, signal: opts.signal })) {
        if (item.type === 'end') return item.task;
        if (item.event.seq <= since) continue;
        since = item.event.seq;
        brokenSince = null;
        attempt = 0;
        await opts.onEvent(item.event);
      }
    } catch (err) {
      if (opts.signal.aborted) return null;
      if (!retryable(err)) throw err;
      failure = err;
    }
    if (opts.signal.aborted) return null;
    brokenSince ??= Date.now();
    if (Date.now() - brokenSince > RECONNECT_BUDGET_MS) throw gaveUp(id, failure);
    if (attempt === 0) opts.onReconnecting?.(since, failure);
    await sleep(BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)]!, opts.signal);
    client = null;
  }
}

/** A broken connection or a daemon that is not (yet) back; not an answer such as 404 or 403. */
function retryable(err: unknown): boolean {
  if (!(err instanceof FerryError)) return true;
  return err.status === 0 || err.status >= 500;
}

function gaveUp(id: string, last: unknown): CliError {
  const r = describeError(last);
  return new CliError(r.code === 'internal-error' ? 'stream-ended' : r.code, `lost the event stream of AI task ${id}: ${r.message}`, {
    exit: r.exit,
    hint: `the task may still be running: \`ferry ai show ${id} --follow\` once the daemon answers again`,
    details: { taskId: id },
  });
}


/** A fresh client for the local daemon (daemon.json re-read), aimed at `peer` if given. */
export function reconnector(home: string, peer: string | undefined): () => FerryClient {
  return () => {
    const c = localClient({ home });
    return peer === undefined ? c : c.forPeer(peer);
  };
}

export type InterruptedBy = NodeJS.Signals | 'EPIPE' | null;

/**
 * The exit code for a task's end: 0 succeeded, 124 timed out, 128+n when our signal n (Ctrl-C:
 * 130) ended or left it, 1 for every other end (failed, canceled by someone else, interrupted, lost).
 */
export function aiTaskExitCode(task: AiTaskSummary | null, interruptedBy: InterruptedBy): number {
  if (interruptedBy && (task === null || ['canceled', 'queued', 'running'].includes(task.status))) {
    const name = interruptedBy === 'EPIPE' ? 'SIGPIPE' : interruptedBy;
    return 128 + ((os.constants.signals as Record<string, number | undefined>)[name] ?? 2);
  }
  if (task?.status === 'succeeded') return 0;
  if (task?.status === 'timed-out') return EXIT_TIMED_OUT;
  return 1;
}
