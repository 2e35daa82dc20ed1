import crypto from 'node:crypto';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { PeerClient } from '../peers/client.js';
import type { FerryEvent, ReceivedMessage, SendMessage, SentMessage, WireMessage } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import type { PeerStore } from '../store/peer-store.js';
import { toReceived, toSent, type MessageStore, type RecipientRow } from './store.js';

const DAY_S = 24 * 3600;
const SEND_TIMEOUT_MS = 10_000;
/** Codes that no retry will change: the message fails for that recipient. */
const FINAL_CODES = new Set(['scope-denied', 'peer-not-paired', 'message-id-taken', 'validation-failed', 'payload-too-large', 'value-too-large']);

export interface Sender {
  nodeId: string;
  name: string;
}

/**
 * Store-and-forward messages. Sending writes the outbox (the message and a row per recipient) in
 * one transaction before answering; a worker then delivers to each recipient in order, retrying
 * with backoff — and at once when the peer comes back online — until it is received or expires.
 * Receiving is idempotent by message id, and the sender is whoever the TLS certificate says.
 * Acknowledgements travel back the same way.
 */
export class MessageService {
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
  private ticking = false;
  private again = false;

  constructor(
    private readonly deps: {
      store: MessageStore;
      peers: PeerStore;
      client: PeerClient;
      bus: EventBus;
      clock: Clock;
      log: Logger;
      config: Config['messages'];
    },
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  private checkSize(body: unknown): string {
    const json = JSON.stringify(body);
    if (Buffer.byteLength(json) > this.deps.config.maxBodyBytes) {
      throw new ApiError('value-too-large', `the message body is more than ${this.deps.config.maxBodyBytes} bytes as JSON (messages.maxBodyBytes)`, { limit: this.deps.config.maxBodyBytes });
    }
    return json;
  }

  /** `req` has been through the SendMessage schema (the route's parseBody). */
  send(req: z.output<typeof SendMessage>): SentMessage {
    const body = this.checkSize(req.body);
    const refs = req.to === '*' ? null : Array.isArray(req.to) ? req.to : [req.to];
    const peers = refs === null ? this.deps.peers.all() : refs.map((ref) => {
      const p = this.deps.peers.find(ref);
      if (!p) throw new ApiError('peer-not-found', `no paired peer "${ref}": see \`ferry peers\``, { peer: ref });
      return p;
    });
    const recipients = [...new Map(peers.map((p) => [p.nodeId, { peerId: p.nodeId, peerName: p.name }])).values()];
    if (recipients.length === 0) throw new ApiError('validation-failed', 'there is nobody to send to: no peer is paired yet');
    const now = this.now();
    const id = crypto.randomBytes(16).toString('base64url');
    const row = {
      id,
      type: req.type,
      body,
      reply_to: req.replyTo ?? null,
      thread: req.replyTo ? (this.deps.store.threadOf(req.replyTo) ?? req.replyTo) : id,
      created_at: now,
      expires_at: now + (req.ttl ?? DAY_S) * 1000,
    };
    this.deps.store.transaction(() => this.deps.store.insertOut(row, recipients, now));
    this.kick();
    return toSent(row, this.deps.store.recipientsOf(id));
  }

  outbox(limit = 100): SentMessage[] {
    return this.deps.store.listOut(limit).map((m) => toSent(m, this.deps.store.recipientsOf(m.id)));
  }

  sent(id: string): SentMessage {
    const m = this.deps.store.getOut(id);
    if (!m) throw new ApiError('message-not-found', `no sent message "${id}"`, { id });
    return toSent(m, this.deps.store.recipientsOf(id));
  }

  inbox(filter: Parameters<MessageStore['listIn']>[0], limit = 100): ReceivedMessage[] {
    return this.deps.store.listIn(filter, limit).map(toReceived);
  }

  received(id: string): ReceivedMessage {
    const r = this.deps.store.getIn(id);
    if (!r) throw new ApiError('message-not-found', `no received message "${id}"`, { id });
    return toReceived(r);
  }

  /** Acknowledge a received message; the sender is told (store-and-forward, like the message). */
  ack(id: string): ReceivedMessage {
    const existing = this.deps.store.getIn(id);
    if (!existing) throw new ApiError('message-not-found', `no received message "${id}"`, { id });
    if (existing.status !== 'unread') return toReceived(existing);
    const now = this.now();
    const row = this.deps.store.transaction(() => {
      const acked = this.deps.store.ackIn(id, now)!;
      this.deps.store.queueAck(id, acked.from_node, now);
      return acked;
    });
    this.kick();
    const message = toReceived(row);
    // Every inbox view (CLI, admin, other MCP sessions) learns that it is read now.
    this.deps.bus.publish('message.acked', { message });
    return message;
  }

  /**
   * Unread messages after `after`, oldest first; if there are none yet, wait (bounded) for the
   * next one to arrive. An idle agent blocks here and wakes when a message comes.
   */
  async wait(after: number | undefined, timeoutMs: number, signal: AbortSignal): Promise<ReceivedMessage[]> {
    const ready = () => this.inbox({ unacked: true, after: after ?? 0 }, 100);
    const now = ready();
    if (now.length > 0 || timeoutMs === 0) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const off = this.deps.bus.subscribe((e: FerryEvent) => {
        if (e.type === 'message.received') done();
      });
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
    });
    return ready();
  }

  /** A peer delivers a message (peer listener). The sender is `from`, from its certificate. */
  receive(from: Sender, wire: WireMessage): { id: string; receivedAt: string } {
    const body = this.checkSize(wire.body);
    const existing = this.deps.store.getIn(wire.id);
    if (existing) {
      // A retry after a lost answer: the same message, already here.
      if (existing.from_node === from.nodeId) return { id: wire.id, receivedAt: new Date(existing.received_at).toISOString() };
      throw new ApiError('message-id-taken', 'another sender already used this message id');
    }
    const now = this.now();
    const row = this.deps.store.insertIn({
      id: wire.id,
      from_node: from.nodeId,
      from_name: from.name,
      type: wire.type,
      body,
      reply_to: wire.replyTo,
      thread: wire.thread,
      created_at: Date.parse(wire.createdAt),
      received_at: now,
      expires_at: Date.parse(wire.expiresAt),
    });
    this.deps.bus.publish('message.received', { message: toReceived(row) });
    return { id: wire.id, receivedAt: new Date(now).toISOString() };
  }

  /** A peer acknowledges messages we sent it (only its own row of each). */
  receiveAcks(from: Sender, acks: { id: string; acknowledgedAt: string }[]): number {
    let n = 0;
    for (const a of acks) {
      const name = this.deps.store.ackRecipient(a.id, from.nodeId, Date.parse(a.acknowledgedAt));
      if (name !== undefined) {
        n++;
        this.deps.bus.publish('message.status', { id: a.id, peer: name, nodeId: from.nodeId, status: 'acknowledged', reason: null });
      }
    }
    return n;
  }

  // ── the worker ──────────────────────────────────────────────────────────
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.pruner = setInterval(() => this.prune(), 3600_000);
    this.pruner.unref();
    this.prune();
    this.kick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pruner) clearInterval(this.pruner);
  }

  /** Retention: messages.retentionDays. */
  prune(): number {
    return this.deps.store.prune(this.now() - this.deps.config.retentionDays * 24 * 3600_000);
  }

  /** A peer came online: try everything waiting for it now. */
  wake(peerId: string): void {
    this.deps.store.wakePeer(peerId, this.now());
    this.kick();
  }

  /** Run the worker now (coalesced: one pass at a time, another right after if asked meanwhile). */
  kick(): void {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void this.tick()
      .catch((err: unknown) => this.deps.log.error('message worker failed', { err: err as Error }))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const now = this.now();
    for (const r of this.deps.store.expireOut(now)) {
      this.deps.bus.publish('message.status', { id: r.message_id, peer: r.peer_name, nodeId: r.peer_id, status: 'expired', reason: 'the message expired before it was acknowledged' });
    }
    for (const r of this.deps.store.expireIn(now)) this.deps.bus.publish('message.expired', { id: r.id, from: { nodeId: r.from_node, name: r.from_name } });

    const byPeer = new Map<string, RecipientRow[]>();
    for (const r of this.deps.store.due(now)) byPeer.set(r.peer_id, [...(byPeer.get(r.peer_id) ?? []), r]);
    const acksByPeer = new Map<string, { id: string; acknowledgedAt: string }[]>();
    for (const a of this.deps.store.dueAcks(now)) acksByPeer.set(a.peer_id, [...(acksByPeer.get(a.peer_id) ?? []), { id: a.message_id, acknowledgedAt: new Date(a.acked_at).toISOString() }]);
    const work: Promise<void>[] = [];
    for (const [peerId, rows] of byPeer) work.push(this.deliverTo(peerId, rows));
    for (const [peerId, acks] of acksByPeer) work.push(this.sendAcks(peerId, acks));
    await Promise.all(work);
  }

  private backoff(attempts: number): number {
    return Math.min(this.deps.config.maxRetryMs, 1000 * 2 ** Math.min(attempts, 16));
  }

  /** One peer's queue, in order: stop at the first failure that should be retried. */
  private async deliverTo(peerId: string, rows: RecipientRow[]): Promise<void> {
    if (this.inFlight.has(peerId)) return;
    this.inFlight.add(peerId);
    try {
      const peer = this.deps.peers.byId(peerId);
      for (const r of rows) {
        const status = (s: 'delivered' | 'failed', reason: string | null) => {
          this.deps.store.setRecipient({ message_id: r.message_id, peer_id: peerId, status: s, attempts: r.attempts + 1, next_at: this.now(), reason, delivered_at: s === 'delivered' ? this.now() : null });
          this.deps.bus.publish('message.status', { id: r.message_id, peer: r.peer_name, nodeId: peerId, status: s, reason });
        };
        if (!peer) {
          status('failed', 'the peer is no longer paired');
          continue;
        }
        const m = this.deps.store.getOut(r.message_id)!;
        const wire: WireMessage = {
          id: m.id,
          type: m.type as WireMessage['type'],
          body: JSON.parse(m.body) as unknown,
          replyTo: m.reply_to,
          thread: m.thread,
          createdAt: new Date(m.created_at).toISOString(),
          expiresAt: new Date(m.expires_at).toISOString(),
        };
        let res: { status: number; body: unknown };
        try {
          res = await this.deps.client.json(peer, { method: 'POST', path: '/messages', body: wire, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
        } catch (err) {
          this.retry(r, (err as Error).message);
          return;
        }
        if (res.status < 300) {
          status('delivered', null);
          continue;
        }
        const e = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        if (e?.code && FINAL_CODES.has(e.code)) status('failed', `${e.code}: ${e.message ?? ''}`);
        else {
          this.retry(r, `${peer.name} answered ${res.status}${e?.code ? ` ${e.code}` : ''}`);
          return;
        }
      }
    } finally {
      this.inFlight.delete(peerId);
    }
  }

  private retry(r: RecipientRow, reason: string): void {
    const attempts = r.attempts + 1;
    this.deps.store.setRecipient({ message_id: r.message_id, peer_id: r.peer_id, status: 'queued', attempts, next_at: this.now() + this.backoff(attempts), reason, delivered_at: null });
  }

  private async sendAcks(peerId: string, acks: { id: string; acknowledgedAt: string }[]): Promise<void> {
    const key = `ack:${peerId}`;
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      const peer = this.deps.peers.byId(peerId);
      // A sender that is no longer paired will never hear of it: drop the notices.
      const ok = peer
        ? await this.deps.client
            .json(peer, { method: 'POST', path: '/messages/acks', body: { acks }, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })
            .then((res) => res.status < 300 || res.status === 403)
            .catch(() => false)
        : true;
      for (const a of acks) {
        if (ok) this.deps.store.ackSent(a.id, peerId);
        else this.deps.store.retryAck(a.id, peerId, this.now() + this.backoff(2));
      }
    } finally {
      this.inFlight.delete(key);
    }
  }
}
