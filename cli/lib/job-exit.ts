import os from 'node:os';
import type { Job } from '../../server/protocol/index.js';

/** `timeout(1)`'s convention for "the time limit ended it". */
export const EXIT_TIMED_OUT = 124;
/** The shell's convention for "no such command". */
export const EXIT_NOT_FOUND = 127;

export type CanceledBy = NodeJS.Signals | 'EPIPE' | null;

/**
 * The exit code `ferry exec` passes on for a finished job, so scripts see what they would have
 * seen running the command themselves: its own code, 124 on timeout, 128+n for signal n.
 */
export function jobExitCode(job: Job, canceledBy: CanceledBy = null): number {
  if (job.status === 'succeeded') return 0;
  if (job.status === 'timed-out') return EXIT_TIMED_OUT;
  // We ended it (Ctrl-C, SIGTERM, a closed pipe): report what our own death by that signal would
  // (130 after Ctrl-C, 143 after SIGTERM, 141 for a closed pipe).
  if (canceledBy && (job.status === 'canceled' || job.status === 'running')) {
    return 128 + signalNumber(canceledBy === 'EPIPE' ? 'SIGPIPE' : canceledBy);
  }
  if (job.error?.code === 'command-not-found') return EXIT_NOT_FOUND;
  if (job.exitCode !== null) return job.exitCode;
  const signo = job.signal ? signalNumber(job.signal) : 0;
  return signo ? 128 + signo : 1;
}

function signalNumber(name: string): number {
  return (os.constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

/** A line for stderr when the job did not simply exit with a code of its own; null when it did. */
export function jobEndNote(job: Job): string | null {
  switch (job.status) {
    case 'timed-out':
      return `ferry: the job timed out after ${job.timeoutMs} ms and was stopped`;
    case 'canceled':
      return 'ferry: the job was canceled';
    case 'interrupted':
      return 'ferry: the daemon shut down while the job ran';
    case 'lost':
      return 'ferry: the daemon died while the job ran; its end is unknown';
    default:
      if (job.error) return `ferry: ${job.error.message} [${job.error.code}]`;
      if (job.exitCode === null && job.signal) return `ferry: the job was killed by ${job.signal}`;
      return null;
  }
}
