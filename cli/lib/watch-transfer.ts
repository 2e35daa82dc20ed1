import type { FerryClient } from '../../server/client/index.js';
import type { FerryEvent, Transfer } from '../../server/protocol/index.js';
import { subscribe } from './events.js';
import { sleep } from './interrupt.js';

/** A GET now and then even while events flow: progress events do not carry attempts. */
const REFRESH_MS = 2000;
/** Without the event stream, how often to ask. */
const POLL_MS = 500;
/** A daemon that restarts under us comes back within this long, or we stop following. */
const UNREACHABLE_GRACE_MS = 30_000;

/** The transfers topic, already subscribed: a command that subscribes before it starts a transfer misses none of its events. */
export interface TransferEvents {
  events: AsyncGenerator<FerryEvent>;
  close(): void;
}

/** Subscribe now; undefined if the daemon will not stream (following then polls). */
export async function openTransferEvents(home: string): Promise<TransferEvents | undefined> {
  const stream = new AbortController();
  try {
    const events = await subscribe(home, ['transfers'], stream.signal);
    return { events, close: () => stream.abort() };
  } catch {
    stream.abort();
    return undefined;
  }
}

export interface WatchOptions {
  home: string;
  client: FerryClient;
  id: string;
  /** Called with the freshest view of the transfer (bytes and rate from events, the rest from GETs). */
  onUpdate: (t: Transfer) => void;
  /** Stop following (resolves with the last known state, possibly still running). */
  signal: AbortSignal;
  /** Events subscribed earlier (closed when the watch ends); without them, the watch subscribes itself. */
  subscription?: TransferEvents | undefined;
}

/**
 * Follow a transfer until it ends: live progress from the event stream (subscribed first, then
 * one GET to catch up, so nothing in between is missed), and plain polling if the stream breaks.
 */
export async function watchTransfer(opts: WatchOptions): Promise<Transfer> {
  const sub = opts.subscription ?? (await openTransferEvents(opts.home));
  const stop = () => sub?.close();
  opts.signal.addEventListener('abort', stop, { once: true });
  let current: Transfer | undefined;
  const show = (t: Transfer) => {
    current = t;
    opts.onUpdate(t);
    return t;
  };
  try {
    // Subscribed first, asked second: whatever happened in between is in the answer.
    current = show(await opts.client.transfer(opts.id));
    if (current.state !== 'running' || opts.signal.aborted) return current;
    if (sub) {
      const ended = await followEvents(sub.events, opts, () => current!, show);
      if (ended) return ended;
    }
    // No stream (it broke, or the daemon would not give one): polling still gets us to the end.
    return await poll(opts, () => current!, show);
  } finally {
    opts.signal.removeEventListener('abort', stop);
    sub?.close();
  }
}

type Current = () => Transfer;
type Show = (t: Transfer) => Transfer;

/** Resolves with the ended transfer, or undefined when the stream broke (or we were told to stop). */
async function followEvents(events: AsyncGenerator<FerryEvent>, opts: WatchOptions, current: Current, show: Show): Promise<Transfer | undefined> {
  let lastRefresh = Date.now();
  let next = events.next();
  for (;;) {
    next.catch(() => undefined); // awaited below; a rejection while we refresh is not "unhandled"
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), Math.max(0, lastRefresh + REFRESH_MS - Date.now()))));
    let got: IteratorResult<FerryEvent> | 'tick';
    try {
      got = await Promise.race([next, tick]);
    } catch {
      return undefined; // the stream broke
    } finally {
      clearTimeout(timer);
    }
    if (opts.signal.aborted) return current();
    if (got === 'tick') {
      lastRefresh = Date.now();
      let fresh: Transfer;
      try {
        fresh = show(merge(current(), await opts.client.transfer(opts.id)));
      } catch {
        return undefined; // polling decides whether a daemon that does not answer comes back
      }
      if (fresh.state !== 'running') return fresh;
      continue;
    }
    if (got.done) return undefined;
    next = events.next();
    const e = got.value;
    if (e.type === 'transfer.progress' && e.data.id === opts.id) {
      show({ ...current(), bytes: e.data.bytes, total: e.data.total ?? current().total, rate: e.data.rate });
    } else if (e.type === 'transfer.finished' && e.data.transfer.id === opts.id) {
      return show(e.data.transfer);
    }
  }
}

/** Ask every POLL_MS until it ends; a daemon that is briefly gone (a restart) is waited for. */
async function poll(opts: WatchOptions, current: Current, show: Show): Promise<Transfer> {
  let unreachableSince: number | undefined;
  while (!opts.signal.aborted) {
    await sleep(POLL_MS, opts.signal);
    if (opts.signal.aborted) break;
    try {
      const t = show(merge(current(), await opts.client.transfer(opts.id)));
      unreachableSince = undefined;
      if (t.state !== 'running') return t;
    } catch (err) {
      if ((err as { code?: string }).code !== 'daemon-unreachable') throw err;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw err;
    }
  }
  return current();
}

/**
 * A GET reads the row saved once a second: within one attempt, never show fewer bytes than an
 * event already did (a new attempt may really start lower, from what the receiver has).
 */
function merge(seen: Transfer, fresh: Transfer): Transfer {
  return fresh.state === 'running' && fresh.attempts === seen.attempts && seen.bytes > fresh.bytes ? { ...fresh, bytes: seen.bytes } : fresh;
}
