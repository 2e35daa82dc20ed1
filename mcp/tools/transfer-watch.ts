import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { FerryEvent, Transfer } from '../../server/protocol/index.js';
import type { McpLog } from '../deps.js';

/** A transfer starts only once its events are subscribed, or after this (it is then followed by polling). */
const READY_WAIT_MS = 5_000;
/** A GET now and then even while events flow: a stream that silently stalls must not hang the call. */
const REFRESH_MS = 2_000;
/** Without the event stream, how often to ask. */
const POLL_MS = 500;
/** A daemon that restarts under us comes back within this long, or the call fails. */
const UNREACHABLE_GRACE_MS = 30_000;
/** Events kept until the transfer's id is known (only the one POST long): other transfers' events are dropped past it. */
const BUFFER_MAX = 1_000;

export interface TransferWatch {
  /**
   * Follow one transfer until it ends: `onProgress` with each newer view, the final Transfer at
   * the end. When `signal` aborts, resolves at once with the last state seen (possibly running).
   */
  follow(first: Transfer, onProgress: (t: Transfer) => void, signal: AbortSignal): Promise<Transfer>;
  close(): void;
}

/**
 * Subscribe to the daemon's `transfers` events before a transfer starts (so none of its events
 * is missed), then follow one transfer: live progress from the events, a GET every 2 s besides,
 * and polling every 500 ms once the stream is gone.
 */
export async function watchTransfers(client: FerryClient, log: McpLog): Promise<TransferWatch> {
  const ac = new AbortController();
  const queue: FerryEvent[] = [];
  let id: string | undefined;
  let streamEnded = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  void (async () => {
    try {
      for await (const e of client.events({ topics: ['transfers'], signal: ac.signal, onReady: () => markReady() })) {
        if (e.type !== 'transfer.progress' && e.type !== 'transfer.finished') continue;
        const of = e.type === 'transfer.progress' ? e.data.id : e.data.transfer.id;
        if (id === undefined ? queue.length < BUFFER_MAX : of === id) queue.push(e);
        poke();
      }
    } catch (err) {
      if (!ac.signal.aborted) log('transfer events failed; polling instead', { message: err instanceof Error ? err.message : String(err) });
    }
    streamEnded = true;
    markReady();
    poke();
  })();

  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, READY_WAIT_MS)))]);
  clearTimeout(timer);

  return {
    close: () => ac.abort(),
    async follow(first, onProgress, signal) {
      id = first.id;
      let current = first;
      let lastGet = Date.now();
      let unreachableSince: number | undefined;
      for (;;) {
        for (let e = queue.shift(); e; e = queue.shift()) {
          if (e.type === 'transfer.finished' && e.data.transfer.id === id) return e.data.transfer;
          if (e.type === 'transfer.progress' && e.data.id === id) {
            current = { ...current, bytes: e.data.bytes, total: e.data.total ?? current.total, rate: e.data.rate };
            onProgress(current);
          }
        }
        if (signal.aborted) return current;
        const due = lastGet + (streamEnded ? POLL_MS : REFRESH_MS);
        if (Date.now() >= due) {
          lastGet = Date.now();
          try {
            const fresh = await client.transfer(id);
            unreachableSince = undefined;
            if (fresh.state !== 'running') return fresh;
            // The row is saved about once a second: only a newer view is news.
            if (fresh.bytes > current.bytes || fresh.attempts !== current.attempts) {
              current = fresh;
              onProgress(current);
            }
          } catch (err) {
            if (!(err instanceof FerryError) || err.code !== 'daemon-unreachable') throw err;
            unreachableSince ??= Date.now();
            if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw err;
          }
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const t = setTimeout(done, due - Date.now());
          signal.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    },
  };
}
