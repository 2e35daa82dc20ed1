import { FerryClient, FerryError, FerryUnreachableError, readSse } from '../../server/client/index.js';
import { findLocal } from '../../server/client/local.js';
import type { FerryEvent } from '../../server/protocol/index.js';

export type ContextChange = Extract<FerryEvent, { type: 'context.changed' }>;

export interface WatchTarget {
  home: string;
  /** A paired machine's context, through the local daemon; absent: this one's. */
  peer?: string | undefined;
  prefix?: string | undefined;
  key?: string | undefined;
}

/**
 * The changes of a key or a prefix as they happen (`GET /context/watch`, SSE), on this daemon or
 * on a peer through it. `onReady` runs once the daemon has subscribed the stream: any change after
 * it is in the stream. Ends when the daemon closes the stream or `signal` aborts.
 */
export async function* watchContext(target: WatchTarget, signal: AbortSignal, onReady?: () => void): AsyncGenerator<ContextChange> {
  const { url, token } = findLocal({ home: target.home });
  const path = target.peer === undefined ? '/context/watch' : `/peers/${encodeURIComponent(target.peer)}/context/watch`;
  const where = new FerryClient({ baseUrl: url }).url(path, { prefix: target.prefix, key: target.key });
  let res: Response;
  try {
    res = await fetch(where, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
  } catch (err) {
    if (signal.aborted) return;
    throw new FerryUnreachableError(url, err);
  }
  if (!res.ok || !res.body) throw await errorOf(res);
  for await (const msg of readSse(res.body, signal)) {
    if (msg.event === 'ready') onReady?.();
    else if (msg.event === 'context.changed') yield JSON.parse(msg.data) as ContextChange;
  }
}

async function errorOf(res: Response): Promise<FerryError> {
  const text = await res.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } }).error;
    if (e?.code) return new FerryError(res.status, e.code, e.message ?? e.code, e.details);
  } catch {
    // not the daemon's envelope
  }
  return new FerryError(res.status, 'invalid-response', `HTTP ${res.status}: ${text.slice(0, 200)}`);
}
