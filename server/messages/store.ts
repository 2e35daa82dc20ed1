import type { Statement } from 'better-sqlite3';
import type { ReceivedMessage, RecipientStatus, SentMessage } from '../protocol/index.js';
import type { DB } from '../store/db.js';
import { iso, isoOrNull } from '../util/time.js';

export interface OutboxRow {
  id: string;
  type: string;
  body: string;
  reply_to: string | null;
  thread: string;
  created_at: number;
  expires_at: number;
}
export interface RecipientRow {
  message_id: string;
  peer_id: string;
  peer_name: string;
  status: RecipientStatus;
  attempts: number;
  next_at: number;
  reason: string | null;
  delivered_at: number | null;
  acked_at: number | null;
}
export interface InboxRow {
  seq: number;
  id: string;
  from_node: string;
  from_name: string;
  type: string;
  body: string;
  reply_to: string | null;
  thread: string;
  created_at: number;
  received_at: number;
  expires_at: number;
  status: 'unread' | 'acknowledged' | 'expired';
  acked_at: number | null;
}
export interface AckRow {
  message_id: string;
  peer_id: string;
  acked_at: number;
  attempts: number;
  next_at: number;
}


export function toSent(m: OutboxRow, recipients: RecipientRow[]): SentMessage {
  return {
    id: m.id,
    type: m.type as SentMessage['type'],
    body: JSON.parse(m.body) as unknown,
    replyTo: m.reply_to,
    thread: m.thread,
    createdAt: iso(m.created_at),
    expiresAt: iso(m.expires_at),
    recipients: recipients.map((r) => ({
      peer: r.peer_name,
      nodeId: r.peer_id,
      status: r.status,
      attempts: r.attempts,
      reason: r.reason,
      deliveredAt: isoOrNull(r.delivered_at),
      acknowledgedAt: isoOrNull(r.acked_at),
    })),
  };
}

export function toReceived(r: InboxRow): ReceivedMessage {
  return {
    id: r.id,
    seq: r.seq,
    from: { nodeId: r.from_node, name: r.from_name },
    type: r.type as ReceivedMessage['type'],
    body: JSON.parse(r.body) as unknown,
    replyTo: r.reply_to,
    thread: r.thread,
    createdAt: iso(r.created_at),
    receivedAt: iso(r.received_at),
    expiresAt: iso(r.expires_at),
    status: r.status,
    acknowledgedAt: isoOrNull(r.acked_at),
  };
}

type Names =
  | 'insertOut' | 'insertRecipient' | 'getOut' | 'recipientsOf' | 'listOut' | 'due' | 'setRecipient' | 'wakePeer' | 'expireOut' | 'ackRecipient'
  | 'insertIn' | 'getIn' | 'threadOf' | 'expireIn' | 'ackIn' | 'insertAck' | 'dueAcks' | 'deleteAck' | 'retryAck' | 'wakeAcks'
  | 'pruneOut' | 'pruneIn';

/** All message SQL: prepared once. */
export class MessageStore {
  private readonly s: Record<Names, Statement>;
  private readonly listInStatements = new Map<string, Statement>();

  constructor(private readonly db: DB) {
    this.s = {
      insertOut: db.prepare('INSERT INTO outbox (id, type, body, reply_to, thread, created_at, expires_at) VALUES (@id, @type, @body, @reply_to, @thread, @created_at, @expires_at)'),
      insertRecipient: db.prepare(`INSERT INTO outbox_recipients (message_id, peer_id, peer_name, status, next_at) VALUES (?, ?, ?, 'queued', ?)`),
      getOut: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      recipientsOf: db.prepare('SELECT * FROM outbox_recipients WHERE message_id = ? ORDER BY peer_name'),
      listOut: db.prepare('SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?'),
      due: db.prepare(`SELECT r.*, o.expires_at FROM outbox_recipients r JOIN outbox o ON o.id = r.message_id
        WHERE r.status = 'queued' AND r.next_at <= ? ORDER BY r.peer_id, o.created_at LIMIT 200`),
      setRecipient: db.prepare(`UPDATE outbox_recipients SET status = @status, attempts = @attempts, next_at = @next_at, reason = @reason,
        delivered_at = coalesce(delivered_at, @delivered_at) WHERE message_id = @message_id AND peer_id = @peer_id`),
      wakePeer: db.prepare(`UPDATE outbox_recipients SET next_at = ? WHERE peer_id = ? AND status = 'queued'`),
      expireOut: db.prepare(`UPDATE outbox_recipients SET status = 'expired', reason = 'the message expired before it was acknowledged'
        WHERE status IN ('queued', 'delivered') AND message_id IN (SELECT id FROM outbox WHERE expires_at <= ?) RETURNING message_id, peer_id, peer_name`),
      ackRecipient: db.prepare(`UPDATE outbox_recipients SET status = 'acknowledged', acked_at = ?, delivered_at = coalesce(delivered_at, ?)
        WHERE message_id = ? AND peer_id = ? AND status IN ('queued', 'delivered') RETURNING peer_name`),
      insertIn: db.prepare(`INSERT INTO inbox (id, from_node, from_name, type, body, reply_to, thread, created_at, received_at, expires_at, status)
        VALUES (@id, @from_node, @from_name, @type, @body, @reply_to, @thread, @created_at, @received_at, @expires_at, 'unread') RETURNING *`),
      getIn: db.prepare('SELECT * FROM inbox WHERE id = ?'),
      threadOf: db.prepare('SELECT thread FROM inbox WHERE id = ? UNION ALL SELECT thread FROM outbox WHERE id = ? LIMIT 1'),
      expireIn: db.prepare(`UPDATE inbox SET status = 'expired' WHERE status = 'unread' AND expires_at <= ? RETURNING id, from_node, from_name`),
      ackIn: db.prepare(`UPDATE inbox SET status = 'acknowledged', acked_at = ? WHERE id = ? AND status = 'unread' RETURNING *`),
      insertAck: db.prepare('INSERT OR IGNORE INTO ack_outbox (message_id, peer_id, acked_at, next_at) VALUES (?, ?, ?, ?)'),
      dueAcks: db.prepare('SELECT * FROM ack_outbox WHERE next_at <= ? ORDER BY peer_id LIMIT 500'),
      deleteAck: db.prepare('DELETE FROM ack_outbox WHERE message_id = ? AND peer_id = ?'),
      retryAck: db.prepare('UPDATE ack_outbox SET attempts = attempts + 1, next_at = ? WHERE message_id = ? AND peer_id = ?'),
      wakeAcks: db.prepare('UPDATE ack_outbox SET next_at = ? WHERE peer_id = ?'),
      // A sent message goes once none of its recipients is still queued; its recipient rows go with it.
      pruneOut: db.prepare(`DELETE FROM outbox WHERE created_at < ? AND NOT EXISTS
        (SELECT 1 FROM outbox_recipients r WHERE r.message_id = outbox.id AND r.status = 'queued')`),
      pruneIn: db.prepare(`DELETE FROM inbox WHERE received_at < ? AND status != 'unread'`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertOut(row: OutboxRow, recipients: { peerId: string; peerName: string }[], now: number): void {
    this.s.insertOut.run(row);
    for (const r of recipients) this.s.insertRecipient.run(row.id, r.peerId, r.peerName, now);
  }
  getOut(id: string): OutboxRow | undefined {
    return this.s.getOut.get(id) as OutboxRow | undefined;
  }
  recipientsOf(id: string): RecipientRow[] {
    return this.s.recipientsOf.all(id) as RecipientRow[];
  }
  listOut(limit: number): OutboxRow[] {
    return this.s.listOut.all(limit) as OutboxRow[];
  }
  due(now: number): (RecipientRow & { expires_at: number })[] {
    return this.s.due.all(now) as (RecipientRow & { expires_at: number })[];
  }
  setRecipient(r: Pick<RecipientRow, 'message_id' | 'peer_id' | 'status' | 'attempts' | 'next_at' | 'reason'> & { delivered_at: number | null }): void {
    this.s.setRecipient.run(r);
  }
  wakePeer(peerId: string, now: number): void {
    this.s.wakePeer.run(now, peerId);
    this.s.wakeAcks.run(now, peerId);
  }
  expireOut(now: number): { message_id: string; peer_id: string; peer_name: string }[] {
    return this.s.expireOut.all(now) as { message_id: string; peer_id: string; peer_name: string }[];
  }
  ackRecipient(messageId: string, peerId: string, at: number): string | undefined {
    return (this.s.ackRecipient.get(at, at, messageId, peerId) as { peer_name: string } | undefined)?.peer_name;
  }
  insertIn(row: Omit<InboxRow, 'seq' | 'status' | 'acked_at'>): InboxRow {
    return this.s.insertIn.get(row) as InboxRow;
  }
  getIn(id: string): InboxRow | undefined {
    return this.s.getIn.get(id) as InboxRow | undefined;
  }
  threadOf(id: string): string | undefined {
    return (this.s.threadOf.get(id, id) as { thread: string } | undefined)?.thread;
  }
  /** Inbox with filters: the combinations are few, so each is prepared once, when first used. */
  listIn(f: { unacked?: boolean | undefined; from?: string | undefined; thread?: string | undefined; since?: number | undefined; after?: number | undefined }, limit: number): InboxRow[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit };
    if (f.unacked) where.push("status = 'unread'");
    if (f.from) {
      where.push('(from_node = @from OR from_name = @from)');
      args.from = f.from;
    }
    if (f.thread) {
      where.push('thread = @thread');
      args.thread = f.thread;
    }
    if (f.since !== undefined) {
      where.push('received_at >= @since');
      args.since = f.since;
    }
    if (f.after !== undefined) {
      where.push('seq > @after');
      args.after = f.after;
    }
    const sql = `SELECT * FROM inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${f.after !== undefined ? 'ASC' : 'DESC'} LIMIT @limit`;
    let stmt = this.listInStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.listInStatements.set(sql, stmt);
    }
    return stmt.all(args) as InboxRow[];
  }
  expireIn(now: number): { id: string; from_node: string; from_name: string }[] {
    return this.s.expireIn.all(now) as { id: string; from_node: string; from_name: string }[];
  }
  ackIn(id: string, at: number): InboxRow | undefined {
    return this.s.ackIn.get(at, id) as InboxRow | undefined;
  }
  queueAck(messageId: string, peerId: string, at: number): void {
    this.s.insertAck.run(messageId, peerId, at, at);
  }
  dueAcks(now: number): AckRow[] {
    return this.s.dueAcks.all(now) as AckRow[];
  }
  ackSent(messageId: string, peerId: string): void {
    this.s.deleteAck.run(messageId, peerId);
  }
  retryAck(messageId: string, peerId: string, next: number): void {
    this.s.retryAck.run(next, messageId, peerId);
  }
  /** Delete messages older than `before` that need nothing more (unread and undelivered ones stay). */
  prune(before: number): number {
    return this.s.pruneOut.run(before).changes + this.s.pruneIn.run(before).changes;
  }
}
