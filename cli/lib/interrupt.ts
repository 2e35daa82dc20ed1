import type { Output } from '../output.js';
import type { Progress } from './spinner.js';

/** What Ctrl-C (or SIGTERM) must undo at the current step; the step updates it as it goes. */
export interface Stage {
  /** Undo what is half done (close the window, reject the pairing). */
  cleanup: () => Promise<unknown>;
  /** Said on stderr once cleanup ran. */
  note: string;
  /** A spinner on screen, to be cleared before the note. */
  progress?: Progress | undefined;
}

/**
 * Run a long interactive command so that an interrupt undoes its half-done work on the daemon
 * before exiting (130 after Ctrl-C, 143 after SIGTERM), whatever it was waiting for: a prompt, a
 * poll, a request. A second interrupt stops waiting for the cleanup.
 */
export async function interruptible(out: Output, run: (stage: Stage) => Promise<number>): Promise<number> {
  const stage: Stage = { cleanup: async () => undefined, note: 'canceled' };
  let interrupted = false;
  let resolveInterrupt: (code: number) => void = () => undefined;
  const onInterrupt = new Promise<number>((resolve) => (resolveInterrupt = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) process.exit(code);
    interrupted = true;
    void (async () => {
      await stage.progress?.stop().catch(() => undefined);
      await stage.cleanup().catch(() => undefined);
      out.note(stage.note);
      resolveInterrupt(code);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Once interrupted, how the abandoned step ends (often: because of the cleanup) no longer matters.
    const work = run(stage).then(
      (code) => (interrupted ? onInterrupt : code),
      (err: unknown) => (interrupted ? onInterrupt : Promise.reject(err)),
    );
    return await Promise.race([work, onInterrupt]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Wait `ms`; with a signal, resolve early (not reject) when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
