import { FerryError } from '../../server/client/index.js';

export interface CancelOnAbort<T> {
  /** Once the call was aborted: the cancel's answer (undefined if it failed). Undefined while it was not. */
  readonly canceling: Promise<T | undefined> | undefined;
  /** Stop listening for the abort. */
  stop(): void;
}

/**
 * Cancel what a call started (a job, a transfer) when the call is aborted, at most once. A
 * job-not-running answer means it ended on its own just before: nothing to do. Any other failure
 * goes to `onError`; the cancel never throws.
 */
export function cancelOnAbort<T>(signal: AbortSignal, cancel: () => Promise<T>, onError: (err: unknown) => void): CancelOnAbort<T> {
  let canceling: Promise<T | undefined> | undefined;
  const run = () => {
    canceling ??= cancel().catch((err: unknown) => {
      if (!(err instanceof FerryError && err.code === 'job-not-running')) onError(err);
      return undefined;
    });
  };
  signal.addEventListener('abort', run, { once: true });
  if (signal.aborted) run();
  return {
    get canceling() {
      return canceling;
    },
    stop: () => signal.removeEventListener('abort', run),
  };
}
