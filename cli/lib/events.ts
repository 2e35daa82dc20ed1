import { FerryClient } from '../../server/client/index.js';
import { findLocal } from '../../server/client/local.js';
import type { FerryEvent, Topic } from '../../server/protocol/index.js';

/**
 * Live events of some topics, resolved once the daemon has subscribed us: anything that happens
 * after this returns is in the stream, so a list fetched now plus the stream misses nothing.
 * (The daemon subscribes in the same tick it answers the request's headers.)
 */
export async function subscribe(home: string, topics: Topic[], signal: AbortSignal): Promise<AsyncGenerator<FerryEvent>> {
  const { url, token } = findLocal({ home });
  let connected: () => void = () => undefined;
  const established = new Promise<void>((resolve) => (connected = resolve));
  const client = new FerryClient({
    baseUrl: url,
    token,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      connected();
      return res;
    },
  });
  const events = client.events({ topics, signal });
  const first = events.next();
  first.catch(() => undefined); // it is awaited below; until then, a failure is not "unhandled"
  await Promise.race([established, first]);
  return (async function* () {
    const head = await first;
    if (head.done) return;
    yield head.value;
    yield* events;
  })();
}
