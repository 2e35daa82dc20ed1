import { z } from 'zod';

/** Messages of the pairing handshake on the peer port (docs/peers.md, "Pairing"). */
const B64_32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
const Sealed = z.string().min(20).max(8192).regex(/^[A-Za-z0-9_-]+$/);
const SessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

export const StartBody = z.strictObject({ v: z.literal(1), commit: B64_32, nodeId: z.string().min(1).max(64), name: z.string().min(1).max(63) });
export const StartReply = z.strictObject({ session: SessionId, pk: B64_32, nonce: B64_32, nodeId: z.string().min(1).max(64), name: z.string().min(1).max(63) });
export const RevealBody = z.strictObject({ session: SessionId, pk: B64_32, nonce: B64_32, mac: B64_32, sealed: Sealed });
export const RevealReply = z.strictObject({ mac: B64_32, sealed: Sealed });
export const SealedBody = z.strictObject({ session: SessionId, sealed: Sealed });
export const SealedReply = z.strictObject({ sealed: Sealed });

/** Sealed payloads. */
export const Info = z.strictObject({
  fingerprint: z.string().regex(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/),
  nodeId: z.string().min(1).max(64),
  name: z.string().min(1).max(63),
  peerPort: z.number().int().min(1).max(65535),
  version: z.string().max(32),
});
export type Info = z.infer<typeof Info>;
export const Decision = z.strictObject({ decision: z.enum(['confirmed', 'rejected']) });
export const StatusRequest = z.strictObject({ ask: z.literal('status') });
export const StatusReply = z.strictObject({ state: z.enum(['waiting', 'paired', 'rejected', 'expired', 'failed']) });
export type StatusReply = z.infer<typeof StatusReply>;
