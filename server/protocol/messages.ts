import { z } from 'zod';
import { Timestamp, queryInt } from './common.js';
import { ContextPut } from './context.js';

export const MessageType = z.enum(['chat', 'request', 'response', 'broadcast', 'event']);
export type MessageType = z.infer<typeof MessageType>;

/** Recipients: one peer, several, or every paired peer ("*"). */
export const MessageTo = z.union([z.literal('*'), z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(256)]);

export const SendMessage = z.strictObject({
  to: MessageTo,
  type: MessageType.default('chat'),
  /** Any JSON value; a string for plain text. */
  body: z.unknown().refine((v) => v !== undefined, 'body is required'),
  /** The id of the message this answers: it joins that message's thread. */
  replyTo: z.string().min(1).max(64).optional(),
  /** Seconds until it expires if nobody has acknowledged it (default 24 h). */
  ttl: z.number().int().min(1).max(30 * 24 * 3600).optional(),
});
export type SendMessage = z.input<typeof SendMessage>;

export const RecipientStatus = z.enum(['queued', 'delivered', 'acknowledged', 'expired', 'failed']);
export type RecipientStatus = z.infer<typeof RecipientStatus>;

export const Recipient = z.object({
  peer: z.string(),
  nodeId: z.string(),
  status: RecipientStatus,
  attempts: z.number().int(),
  reason: z.string().nullable(),
  deliveredAt: Timestamp.nullable(),
  acknowledgedAt: Timestamp.nullable(),
});
export type Recipient = z.infer<typeof Recipient>;

export const SentMessage = z.object({
  id: z.string(),
  type: MessageType,
  body: z.unknown(),
  replyTo: z.string().nullable(),
  thread: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  recipients: z.array(Recipient),
});
export type SentMessage = z.infer<typeof SentMessage>;

export const InboxStatus = z.enum(['unread', 'acknowledged', 'expired']);
export const ReceivedMessage = z.object({
  id: z.string(),
  /** Position in this inbox: pass the last one seen to `wait` as `after`. */
  seq: z.number().int(),
  /** The sender as authenticated by its certificate, never a field it wrote. */
  from: z.object({ nodeId: z.string(), name: z.string() }),
  type: MessageType,
  body: z.unknown(),
  replyTo: z.string().nullable(),
  thread: z.string(),
  createdAt: Timestamp,
  receivedAt: Timestamp,
  expiresAt: Timestamp,
  status: InboxStatus,
  acknowledgedAt: Timestamp.nullable(),
});
export type ReceivedMessage = z.infer<typeof ReceivedMessage>;

export const InboxQuery = z.strictObject({
  unacked: z.enum(['0', '1']).optional(),
  from: z.string().max(64).optional(),
  thread: z.string().max(64).optional(),
  since: Timestamp.optional(),
  limit: queryInt(1, 500).optional(),
});
export const WaitQuery = z.strictObject({
  /** Seconds to wait for a message (default 30, at most 300). */
  timeout: queryInt(0, 300).optional(),
  /** Only messages after this inbox position (the `seq` of the last one handled). */
  after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
});
export const OutboxQuery = z.strictObject({ limit: queryInt(1, 500).optional() });

export const MessageList = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item) });

/** The peer wire: what a sender's daemon sends. No `from`: the receiver knows it from TLS. */
export const WireMessage = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  type: MessageType,
  body: z.unknown(),
  replyTo: z.string().max(64).nullable(),
  thread: z.string().max(64),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});
export type WireMessage = z.infer<typeof WireMessage>;
export const WireAcks = z.strictObject({ acks: z.array(z.strictObject({ id: z.string().max(64), acknowledgedAt: Timestamp })).min(1).max(500) });

// ── context across peers ────────────────────────────────────────────────────
export const ContextBroadcast = z.strictObject({
  key: z.string().min(1).max(512),
  value: z.unknown().refine((v) => v !== undefined, 'value is required'),
  /** As for a single write (the peers check it the same way). */
  ttlSeconds: ContextPut.shape.ttlSeconds,
  /** Which peers (names or node ids); absent: every paired peer. */
  peers: z.array(z.string().min(1).max(64)).min(1).max(256).optional(),
  /** Also set it here. */
  includeSelf: z.boolean().optional(),
});
export type ContextBroadcast = z.infer<typeof ContextBroadcast>;
export const BroadcastResult = z.object({
  peer: z.string(),
  status: z.enum(['ok', 'denied', 'offline', 'error']),
  version: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type BroadcastResult = z.infer<typeof BroadcastResult>;
export const WatchQuery = z.strictObject({ prefix: z.string().max(512).optional(), key: z.string().max(512).optional() });
