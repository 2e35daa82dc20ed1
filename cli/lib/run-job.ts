import type { FerryClient } from '../../server/client/index.js';
import type { ExecRequest, Job } from '../../server/protocol/index.js';
import { CliError } from '../errors.js';
import type { CanceledBy } from './job-exit.js';

/** After asking the daemon to cancel, how long to wait for the job's end before giving up on it. */
const CANCEL_GRACE_MS = 15_000;
/** A job that has not started after this long is probably waiting for someone's approval. */
const SLOW_START_MS = 1500;

export interface JobRun {
  job: Job;
  /** Set when we canceled the job (Ctrl-C, SIGTERM, or stdout closed under us). */
  canceledBy: CanceledBy;
}

/**
 * Start a job without waiting, then follow its stream: output goes to our stdout/stderr as it
 * comes (unless `quiet`), and the job's final state is the result. Ctrl-C cancels the job on the
 * daemon rather than leaving it running; a second Ctrl-C stops waiting.
 */
export async function runJob(client: FerryClient, req: ExecRequest, opts: { quiet: boolean; onSlowStart?: () => void }): Promise<JobRun> {
  // A peer whose policy says "ask" answers only once its owner decided: say what we wait for.
  const slow = opts.onSlowStart ? setTimeout(opts.onSlowStart, SLOW_START_MS) : undefined;
  let started: Job;
  try {
    started = await client.exec({ ...req, wait: false });
  } finally {
    clearTimeout(slow);
  }
  const abort = new AbortController();
  let canceledBy: CanceledBy = null;
  let giveUp: NodeJS.Timeout | undefined;

  const cancel = (why: NonNullable<CanceledBy>) => {
    if (canceledBy) {
      abort.abort(); // second interrupt: stop waiting for the daemon
      return;
    }
    canceledBy = why;
    void client.cancelJob(started.id).catch(() => undefined); // it may have ended already
    giveUp = setTimeout(() => abort.abort(), CANCEL_GRACE_MS);
  };
  const onSignal = (signal: NodeJS.Signals) => cancel(signal);
  const onStdoutError = () => cancel('EPIPE');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);

  let final: Job | undefined;
  try {
    for await (const item of client.jobStream(started.id, { signal: abort.signal })) {
      if (item.type === 'exit') final = item.job;
      else if (!opts.quiet && canceledBy !== 'EPIPE') await write(item.output.stream, item.output.data);
    }
  } catch {
    // The stream broke (daemon restarted, connection cut) or we stopped waiting: asked below.
  } finally {
    abort.abort(); // closes the stream's connection in every case
    clearTimeout(giveUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
  }

  // Without its exit event, ask once: a daemon that is gone answers daemon-unreachable (exit 3).
  final ??= await client.job(started.id);
  if (final.status === 'running') {
    if (canceledBy) return { job: final, canceledBy };
    throw new CliError('stream-ended', `lost the output stream of job ${started.id} while it was still running`, {
      hint: `see how it ends with \`ferry jobs show ${started.id}\``,
      details: { jobId: started.id },
    });
  }
  return { job: final, canceledBy };
}

function write(stream: 'stdout' | 'stderr', data: string): Promise<void> | void {
  const out = stream === 'stdout' ? process.stdout : process.stderr;
  if (out.write(data)) return;
  return new Promise((resolve) => {
    // A closed pipe never drains: stop waiting on an error or close as well.
    const done = () => {
      out.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    out.once('drain', done).once('error', done).once('close', done);
  });
}
