import type { FerryClient } from '../../server/client/index.js';
import type { FerryEvent, Topic } from '../../server/protocol/index.js';

export interface EventWatch {
  /**
   * When (performance.now(), taken as the bench read it off the stream) the first event with this
   * key arrived since the watch began; waits for it, bounded. Each key is handed out once.
   */
  when(key: string, timeoutMs: number): Promise<number>;
  stop(): void;
}

/**
 * Follow a daemon's event stream (SSE) and note when events arrive, by a key the caller derives
 * (e.g. `delivered:<message id>`); events without a key are ignored. Resolves once the daemon has
 * subscribed the stream, so anything that happens afterwards is seen.
 */
export async function watchEvents(client: FerryClient, topics: Topic[], keyOf: (e: FerryEvent) => string | undefined, readyTimeoutMs = 10_000): Promise<EventWatch> {
  const ac = new AbortController();
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let failure: Error | undefined;
  const failAll = new Set<(err: Error) => void>();
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const pump = (async () => {
    for await (const e of client.events({ topics, signal: ac.signal, onReady })) {
      const at = performance.now();
      const key = keyOf(e);
      if (key === undefined) continue;
      const w = waiting.get(key);
      if (w) {
        waiting.delete(key);
        w(at);
      } else if (!seen.has(key)) seen.set(key, at);
    }
    throw new Error('the event stream ended');
  })().catch((err: unknown) => {
    failure = ac.signal.aborted ? new Error('the event watch was stopped') : (err as Error);
    for (const f of failAll) f(failure);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ready,
    pump.then(() => Promise.reject(failure ?? new Error('the event stream ended before it was ready'))),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the event stream was not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs))),
  ]).finally(() => clearTimeout(timer));
  return {
    when(key, timeoutMs) {
      const at = seen.get(key);
      if (at !== undefined) {
        seen.delete(key);
        return Promise.resolve(at);
      }
      if (failure) return Promise.reject(failure);
      return new Promise<number>((resolve, reject) => {
        const fail = (err: Error) => {
          clearTimeout(t);
          waiting.delete(key);
          reject(err);
        };
        const t = setTimeout(() => fail(new Error(`no event "${key}" within ${timeoutMs} ms`)), timeoutMs);
        failAll.add(fail);
        waiting.set(key, (when) => {
          clearTimeout(t);
          failAll.delete(fail);
          resolve(when);
        });
      });
    },
    stop() {
      ac.abort();
    },
  };
}
