import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { FerryEvent, Topic } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { INBOX_URI, parseResourceUri, PEERS_URI, STATUS_URI, type FerryResource } from './uris.js';

/** A subscribe answers once the daemon's event stream is live (so a change made right after is seen), or after this. */
const READY_WAIT_MS = 5_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 30_000;
/** Status and peers change in bursts (a build starts ten jobs): one notification per burst is enough. */
const COALESCE_MS = 200;
const TOPICS: Topic[] = ['context', 'jobs', 'peers', 'system', 'messages'];

export interface ResourceUpdates {
  /** Stop following the daemon's events (the server is closing). */
  close(): void;
}

/**
 * resources/subscribe for ferry://status, ferry://peers, ferry://inbox and ferry://context/{key}: while anything is
 * subscribed, follow the daemon's event stream and send notifications/resources/updated for the
 * resources an event changes. If the stream drops (the daemon restarted, the token was rotated) it
 * is opened again with backoff, and every subscribed resource is announced as updated once it is
 * back, since anything may have changed meanwhile. Must be registered before the server connects.
 */
export function registerResourceUpdates(server: McpServer, deps: ToolDeps): ResourceUpdates {
  const subs = new Map<string, FerryResource>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stream: AbortController | undefined;
  let running: Promise<void> | undefined;
  let ready = false;
  let waiters: (() => void)[] = [];
  let closed = false;

  const send = (uri: string) => {
    if (closed || !subs.has(uri)) return;
    server.server.sendResourceUpdated({ uri }).catch((err: unknown) => deps.log('resource update not sent', { uri, err: String(err) }));
  };
  const coalesced = (uri: string) => {
    if (!subs.has(uri) || timers.has(uri)) return;
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      send(uri);
    }, COALESCE_MS));
  };
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };

  const onEvent = (e: FerryEvent) => {
    switch (e.type) {
      case 'context.changed':
        for (const [uri, r] of subs) if (r.kind === 'context' && r.key === e.data.key) send(uri);
        coalesced(STATUS_URI);
        break;
      case 'job.started':
      case 'job.finished':
      case 'system.draining':
        coalesced(STATUS_URI);
        break;
      case 'pairing.completed':
      case 'peer.discovered':
      case 'peer.online':
      case 'peer.offline':
      case 'peer.updated':
      case 'peer.removed':
        coalesced(PEERS_URI);
        break;
      // A message arrived here, or one here expired unread (message.status is about messages sent from here).
      case 'message.received':
      case 'message.expired':
      case 'message.acked':
        send(INBOX_URI);
        break;
      default:
        break;
    }
  };

  async function follow(): Promise<void> {
    let delay = RETRY_MIN_MS;
    let gap = false;
    while (!closed && subs.size > 0) {
      const ac = new AbortController();
      stream = ac;
      try {
        const events = deps.client().events({
          topics: TOPICS,
          signal: ac.signal,
          onReady: () => {
            ready = true;
            delay = RETRY_MIN_MS;
            wake();
            if (gap) for (const uri of subs.keys()) send(uri);
            gap = false;
          },
        });
        for await (const e of events) onEvent(e);
      } catch (err) {
        // Aborted: everything was unsubscribed (the loop ends), or a new subscription came just after (it goes on).
        if (ac.signal.aborted) continue;
        deps.log('event stream failed; retrying', { code: (err as { code?: unknown }).code, message: err instanceof Error ? err.message : String(err) });
      }
      if (ac.signal.aborted) continue;
      ready = false;
      gap = true;
      // Nobody should wait for a stream that cannot open now: the subscription stands all the same.
      wake();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        ac.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
    ready = false;
  }

  const start = async () => {
    if (!running) {
      running = follow().finally(() => {
        running = undefined;
        stream = undefined;
      });
    }
    if (ready) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, READY_WAIT_MS);
      waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  };

  const stop = () => {
    stream?.abort();
    stream = undefined;
    ready = false;
    wake();
  };

  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    const resource = parseResourceUri(req.params.uri);
    if (!resource) throw new McpError(ErrorCode.InvalidParams, `${req.params.uri} is not a Ferry resource (ferry://status, ferry://peers, ferry://inbox, ferry://context/{key})`);
    subs.set(req.params.uri, resource);
    await start();
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    subs.delete(req.params.uri);
    clearTimeout(timers.get(req.params.uri));
    timers.delete(req.params.uri);
    if (subs.size === 0) stop();
    return {};
  });

  return {
    close() {
      closed = true;
      subs.clear();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      stop();
      waiters = [];
    },
  };
}
