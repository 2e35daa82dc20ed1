import { z } from 'zod';
import { ContextEntry } from './context.js';
import { Job, JobSummary, OutputStream } from './exec.js';
import { Timestamp, queryInt } from './common.js';
import { Approval, PairingSession, PairingWindowEvent, PeerView } from './peers.js';
import { Transfer } from './files.js';
import { ReceivedMessage, RecipientStatus } from './messages.js';
import { AiTaskEvent, AiTaskSummary, PermissionRequest } from './ai-tasks.js';

/** Topics are Socket.IO rooms and SSE filters. */
export const TOPICS = ['jobs', 'job-output', 'context', 'system', 'peers', 'approvals', 'transfers', 'messages', 'ai-tasks'] as const;
export const Topic = z.enum(TOPICS);
export type Topic = z.infer<typeof Topic>;

/**
 * The typed event map: event type → payload. This is the one list of everything the daemon
 * announces; the Socket.IO adapter, the SSE endpoint and every client follow it.
 */
export const EventPayloads = {
  'job.started': z.object({ job: JobSummary }),
  'job.output': z.object({ jobId: z.string(), stream: OutputStream, data: z.string() }),
  'job.finished': z.object({ job: Job.omit({ stdout: true, stderr: true }) }),
  'context.changed': z.object({
    op: z.enum(['put', 'delete', 'expire']),
    key: z.string(),
    version: z.number().int(),
    entry: ContextEntry.nullable(),
  }),
  'system.draining': z.object({ reason: z.string() }),
  'auth.token-rotated': z.object({ rotatedAt: Timestamp }),
  'pairing.window': PairingWindowEvent,
  'pairing.requested': z.object({ session: PairingSession }),
  'pairing.completed': z.object({ session: PairingSession, peer: PeerView }),
  'pairing.failed': z.object({ session: PairingSession }),
  'peer.discovered': z.object({ nodeId: z.string(), name: z.string(), addresses: z.array(z.string()), port: z.number().int().nullable() }),
  'peer.online': z.object({ nodeId: z.string(), name: z.string() }),
  'peer.offline': z.object({ nodeId: z.string(), name: z.string() }),
  'peer.updated': z.object({ peer: PeerView }),
  'peer.removed': z.object({ nodeId: z.string(), name: z.string(), reason: z.string() }),
  'approval.requested': z.object({ approval: Approval }),
  'approval.decided': z.object({ approval: Approval }),
  'transfer.started': z.object({ transfer: Transfer }),
  'transfer.progress': z.object({ id: z.string(), bytes: z.number().int(), total: z.number().int().nullable(), rate: z.number() }),
  'transfer.finished': z.object({ transfer: Transfer }),
  'message.received': z.object({ message: ReceivedMessage }),
  'message.status': z.object({ id: z.string(), peer: z.string(), nodeId: z.string(), status: RecipientStatus, reason: z.string().nullable() }),
  'message.expired': z.object({ id: z.string(), from: z.object({ nodeId: z.string(), name: z.string() }) }),
  'message.acked': z.object({ message: ReceivedMessage }),
  'ai-task.updated': z.object({ task: AiTaskSummary }),
  'ai-task.event': z.object({ taskId: z.string(), event: AiTaskEvent }),
  'ai-task.permission': z.object({ permission: PermissionRequest }),
} as const;

export type EventType = keyof typeof EventPayloads;
export type EventPayload<T extends EventType> = z.infer<(typeof EventPayloads)[T]>;

export const EVENT_TOPIC: { [T in EventType]: Topic } = {
  'job.started': 'jobs',
  'job.output': 'job-output',
  'job.finished': 'jobs',
  'context.changed': 'context',
  'system.draining': 'system',
  'auth.token-rotated': 'system',
  'pairing.window': 'peers',
  'pairing.requested': 'peers',
  'pairing.completed': 'peers',
  'pairing.failed': 'peers',
  'peer.discovered': 'peers',
  'peer.online': 'peers',
  'peer.offline': 'peers',
  'peer.updated': 'peers',
  'peer.removed': 'peers',
  'approval.requested': 'approvals',
  'approval.decided': 'approvals',
  'transfer.started': 'transfers',
  'transfer.progress': 'transfers',
  'transfer.finished': 'transfers',
  'message.received': 'messages',
  'message.status': 'messages',
  'message.expired': 'messages',
  'message.acked': 'messages',
  'ai-task.updated': 'ai-tasks',
  'ai-task.event': 'ai-tasks',
  'ai-task.permission': 'ai-tasks',
};

/** What a client receives: a monotonically increasing id (never reused), the type, and its payload. */
export type FerryEvent = {
  [T in EventType]: { id: number; type: T; topic: Topic; at: string; data: EventPayload<T> };
}[EventType];

export const EventsQuery = z.strictObject({
  since: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  topics: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(Topic))
    .optional(),
});

export const SubscribeRequest = z.strictObject({
  topics: z.array(Topic).min(1),
  /** Replay stored events with id > since before live ones. */
  since: z.number().int().min(0).optional(),
});
export type SubscribeRequest = z.infer<typeof SubscribeRequest>;
export type SubscribeAck = { ok: true; topics: Topic[] } | { ok: false; error: { code: string; message: string } };

/** Socket.IO event maps (notifications only: commands stay on REST). */
export interface ServerToClientEvents {
  event: (e: FerryEvent) => void;
}
export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: { topics: Topic[] }, ack: (res: SubscribeAck) => void) => void;
}
