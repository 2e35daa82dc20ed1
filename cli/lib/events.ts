import { FerryClient } from '../../server/client/index.js';
import { findLocal } from '../../server/client/local.js';
import type { FerryEvent, Topic } from '../../server/protocol/index.js';

/**
 * Live events of some topics, resolved once the daemon has subscribed us: anything that happens
 * after this returns is in the stream, so a list fetched now plus the stream misses nothing.
 */
export async function subscribe(home: string, topics: Topic[], signal: AbortSignal): Promise<AsyncGenerator<FerryEvent>> {
  const { url, token } = findLocal({ home });
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (ready = resolve));
  const events = new FerryClient({ baseUrl: url, token }).events({ topics, signal, onReady: () => ready() });
  // The stream starts when it is first read; the first event may come only after the ready signal.
  const first = events.next();
  first.catch(() => undefined); // it is awaited below; until then, a failure is not "unhandled"
  await Promise.race([subscribed, first]);
  return (async function* () {
    const head = await first;
    if (head.done) return;
    yield head.value;
    yield* events;
  })();
}
