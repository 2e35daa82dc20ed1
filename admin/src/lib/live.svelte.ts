import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FerryEvent, ServerToClientEvents, Topic } from '$ferry/protocol/index.js';
import { api, errorCode } from './api.js';
import { session } from './session.svelte.js';

export type LiveState = 'offline' | 'connecting' | 'live' | 'reconnecting';

const TOPICS: Topic[] = ['jobs', 'job-output', 'system', 'peers', 'approvals', 'ai-tasks'];
const SUBSCRIBE_TIMEOUT_MS = 10_000;
const RETRY_AFTER_DENIAL_MS = 3_000;

type Listener = (event: FerryEvent) => void;

/**
 * The admin's one Socket.IO connection (same origin; the session cookie authenticates it).
 * Sockets only notify: every command goes over REST. After each (re)subscribe the views are told
 * to resync, because the REST snapshot and the live stream may have missed each other.
 */
class Live {
  state = $state<LiveState>('offline');
  draining = $state<string | null>(null);

  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private lastEventId = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly resyncListeners = new Set<() => void>();

  start(): void {
    if (this.socket) return;
    this.state = 'connecting';
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: '/socket.io', withCredentials: true });
    this.socket = socket;

    socket.on('connect', () => void this.subscribe(socket));
    socket.on('event', (event) => this.dispatch(event));
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      this.state = 'reconnecting';
      // The server closed on purpose (session ended?): the client will not retry by itself.
      if (reason === 'io server disconnect') this.checkSessionThenRetry(socket);
    });
    socket.on('connect_error', () => {
      if (this.state !== 'connecting') this.state = 'reconnecting';
      // `active` is false when the server refused the handshake (auth) rather than being unreachable.
      if (!socket.active) this.checkSessionThenRetry(socket);
    });
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.socket?.disconnect();
    this.socket = null;
    this.lastEventId = 0;
    this.state = 'offline';
    this.draining = null;
  }

  /** Receive every event on the subscribed topics. Returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every successful (re)subscription: refetch whatever a gap could have hidden. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private async subscribe(socket: Socket<ServerToClientEvents, ClientToServerEvents>): Promise<void> {
    const since = this.lastEventId > 0 ? this.lastEventId : undefined;
    try {
      const ack = await socket.timeout(SUBSCRIBE_TIMEOUT_MS).emitWithAck('subscribe', { topics: TOPICS, ...(since !== undefined ? { since } : {}) });
      if (!ack.ok) throw new Error(ack.error.message);
    } catch {
      if (socket === this.socket) socket.disconnect().connect();
      return;
    }
    if (socket !== this.socket) return;
    this.state = 'live';
    // Connected again, so whichever daemon answers is not the one that was shutting down.
    this.draining = null;
    for (const listener of this.resyncListeners) listener();
  }

  private dispatch(event: FerryEvent): void {
    // A replay after reconnecting can overlap what we already saw.
    if (event.id <= this.lastEventId) return;
    this.lastEventId = event.id;
    if (event.type === 'system.draining') this.draining = event.data.reason;
    if (event.type === 'auth.token-rotated') {
      session.ended('The admin token was rotated, which signs everyone out. Sign in with the new token.');
      return;
    }
    for (const listener of this.listeners) listener(event);
  }

  private checkSessionThenRetry(socket: Socket<ServerToClientEvents, ClientToServerEvents>): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (socket !== this.socket) return;
      api.session().then(
        () => socket.connect(),
        (err: unknown) => {
          if (errorCode(err) === 'unauthorized') session.ended('Your session ended. Sign in again to continue.');
          else this.checkSessionThenRetry(socket);
        },
      );
    }, RETRY_AFTER_DENIAL_MS);
  }
}

export const live = new Live();
