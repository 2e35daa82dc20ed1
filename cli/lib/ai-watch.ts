import type { FerryClient } from '../../server/client/index.js';
import type { AiTask, AiTaskEvent, AiTaskSummary } from '../../server/protocol/index.js';
import type { CliContext } from '../command.js';
import { describeError } from '../errors.js';
import { followTask, reconnector, type InterruptedBy } from './ai-follow.js';
import { PermissionDesk } from './ai-permissions.js';
import { TaskPrinter } from './ai-stream.js';

/** After asking the daemon to cancel, how long to wait for the task's end before giving up on it. */
const CANCEL_GRACE_MS = 15_000;

export interface WatchOptions {
  client: FerryClient;
  peer: string | undefined;
  task: Pick<AiTaskSummary, 'id' | 'agent'>;
  /** Ctrl-C (SIGTERM, a closed stdout) cancels the task (`ai run`), or only stops watching (`ai show --follow`). */
  cancelOnInterrupt: boolean;
  /** Ask the person at the terminal to allow or deny each tool permission request. */
  ask: boolean;
  /** Show each event this way instead of the agent's text on stdout and its steps on stderr. */
  render?: (event: AiTaskEvent) => void;
}

export interface Watched {
  /** The task at its end; as it was when we stopped watching; null if even that could not be read. */
  task: AiTask | null;
  interruptedBy: InterruptedBy;
}

/** Follow a task to its end, showing it as it goes; resumes by itself when the stream breaks. */
export async function watchTask(ctx: CliContext, o: WatchOptions): Promise<Watched> {
  const { id } = o.task;
  const out = ctx.out;
  const abort = new AbortController();
  let interruptedBy: InterruptedBy = null;
  let giveUp: NodeJS.Timeout | undefined;

  const desk = new PermissionDesk({
    client: o.client,
    taskId: id,
    agent: o.task.agent,
    peer: o.peer,
    ask: o.ask,
    paint: out.paintErr,
    say: (line) => process.stderr.write(`${line}\n`),
    // Called only once a question opens, by when the printer exists.
    onBusy: (busy) => screen.hold(busy),
  });
  const screen = new TaskPrinter(out, { agent: o.task.agent, quiet: ctx.json, desk });
  const show = o.render ?? ((e: AiTaskEvent) => screen.event(e));

  const stop = (why: NonNullable<InterruptedBy>) => {
    if (interruptedBy || !o.cancelOnInterrupt) {
      interruptedBy ??= why;
      abort.abort(); // a second interrupt, or only watching: stop waiting now
      return;
    }
    interruptedBy = why;
    desk.close();
    screen.finish();
    out.note(out.paintErr('yellow', `ferry: canceling AI task ${id}… (Ctrl-C again to stop waiting)`));
    // One that already ended answers an error; the stream shows its end either way.
    void o.client.cancelAiTask(id).catch(() => undefined);
    giveUp = setTimeout(() => abort.abort(), CANCEL_GRACE_MS);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onStdoutError = () => {
    screen.stdoutClosed();
    stop('EPIPE');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);

  let task: AiTask | null;
  try {
    task = await followTask(reconnector(ctx.home, o.peer), o.client, id, {
      signal: abort.signal,
      onEvent: show,
      onReconnecting: (since, err) => {
        screen.finish();
        const r = describeError(err);
        out.note(out.paintErr('yellow', `ferry: the event stream broke (${r.message}); resuming after event ${since}…`));
      },
    });
  } finally {
    clearTimeout(giveUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
    desk.close();
    screen.finish();
  }
  // Stopped before the end: how it is now (a daemon that is gone leaves us with nothing to say).
  task ??= await o.client.aiTask(id).catch(() => null);
  return { task, interruptedBy };
}
