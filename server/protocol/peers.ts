import { z } from 'zod';
import { Timestamp } from './common.js';

// ── policy ──────────────────────────────────────────────────────────────────
/** A program name in an allow or deny list; a trailing `*` matches a family (`mkfs.*`). */
const ProgramRule = z.string().min(1).max(128).regex(/^[^\s/\0]+$/, 'a program name, without slashes or spaces');
const AbsPath = z.string().min(1).max(4096).refine((p) => p.startsWith('/') || p === '~' || p.startsWith('~/'), 'an absolute path (or ~)');

export const PolicySchema = z.strictObject({
  exec: z.strictObject({
    mode: z.enum(['off', 'ask', 'allowlist', 'full']),
    allow: z.array(ProgramRule).max(1000),
    deny: z.array(ProgramRule).max(1000),
    shell: z.enum(['off', 'ask', 'allow']),
  }),
  files: z.strictObject({
    mode: z.enum(['off', 'ask', 'roots']),
    read: z.array(AbsPath).max(100),
    write: z.array(AbsPath).max(100),
  }),
  context: z.strictObject({ read: z.boolean(), write: z.boolean() }),
  messages: z.boolean(),
  aiTasks: z.enum(['off', 'ask', 'full']),
  terminal: z.boolean(),
});
export type Policy = z.infer<typeof PolicySchema>;

export const PRESETS = ['trusted', 'collaborator', 'read-only'] as const;
export const PresetName = z.enum(PRESETS);
export type PresetName = z.infer<typeof PresetName>;

// ── peers ───────────────────────────────────────────────────────────────────
/** A peer's name: what people type (`ferry exec laptop -- …`). */
export const PeerName = z.string().min(1).max(63).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/** 127.0.0.0/8 or ::1 (also IPv4-mapped): the addresses that never leave this machine. */
export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || a === '::1' || a === '0:0:0:0:0:0:0:1';
}

export const PeerView = z.object({
  /** Null only for a manual address that has not answered yet. */
  nodeId: z.string().nullable(),
  name: z.string(),
  paired: z.boolean(),
  /** paired: how it was paired; unpaired: how it was found. */
  source: z.enum(['paired', 'mdns', 'manual']),
  fingerprint: z.string().nullable(),
  addresses: z.array(z.string()),
  port: z.number().int().nullable(),
  online: z.boolean().nullable(),
  lastSeen: Timestamp.nullable(),
  pairedAt: Timestamp.nullable(),
  policy: PolicySchema.nullable(),
  /** The preset the policy equals exactly, or null for a policy edited by hand (or an unpaired machine). */
  preset: PresetName.nullable(),
  version: z.string().nullable(),
  /** Trusted without a pairing ceremony (a local session): accepted over loopback only. */
  localOnly: z.boolean().optional(),
});
export type PeerView = z.infer<typeof PeerView>;
export const PeerList = z.object({ items: z.array(PeerView) });
export type PeerList = z.infer<typeof PeerList>;

export const AddManualPeer = z.strictObject({
  address: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).optional(),
});
export type AddManualPeer = z.infer<typeof AddManualPeer>;

/**
 * Trust a daemon of the same owner on this machine without a pairing ceremony (local fleets): the
 * caller holds BOTH daemons' admin tokens, which only their owner can read. Local API only.
 */
export const TrustPeer = z.strictObject({
  certificate: z.string().min(100).max(16_384).regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate'),
  name: PeerName,
  /** Loopback only (127.0.0.0/8, ::1): this trust is for daemons on this machine. */
  addresses: z.array(z.string().min(1).max(255).refine(isLoopback, 'a loopback address (127.x.x.x or ::1): trust without pairing is for daemons on this machine; pair with other machines')).min(1).max(8),
  port: z.number().int().min(1).max(65535),
  policy: z.union([PresetName, PolicySchema]).optional(),
});
export type TrustPeer = z.infer<typeof TrustPeer>;

export const PatchPeer = z
  .strictObject({ name: PeerName.optional(), policy: z.union([PresetName, PolicySchema]).optional() })
  .refine((p) => p.name !== undefined || p.policy !== undefined, 'give a new name, a policy, or both');
export type PatchPeer = z.infer<typeof PatchPeer>;

// ── pairing ─────────────────────────────────────────────────────────────────
export const PairingWindow = z.object({ windowId: z.string(), code: z.string(), expiresAt: Timestamp, attemptsLeft: z.number().int() });
export type PairingWindow = z.infer<typeof PairingWindow>;

export const PairingState = z.enum(['started', 'awaiting-confirmation', 'waiting-for-peer', 'paired', 'rejected', 'failed', 'expired']);
export type PairingState = z.infer<typeof PairingState>;

export const PairingSession = z.object({
  sessionId: z.string(),
  role: z.enum(['inviter', 'joiner']),
  /** Inviter: the window the joiner used. */
  windowId: z.string().nullable(),
  state: PairingState,
  /** Six digits, the same on both screens when nobody is in the middle. */
  sas: z.string().nullable(),
  peer: z.object({ nodeId: z.string(), name: z.string(), fingerprint: z.string() }).nullable(),
  localDecision: z.enum(['confirmed', 'rejected']).nullable(),
  remoteDecision: z.enum(['confirmed', 'rejected']).nullable(),
  expiresAt: Timestamp,
  reason: z.string().nullable(),
});
export type PairingSession = z.infer<typeof PairingSession>;

/** A window opened, lost a try to a wrong code, or closed (and why). */
export const PairingWindowEvent = z.object({
  windowId: z.string(),
  state: z.enum(['open', 'closed']),
  /** Without the code: events are stored and replayable; the code is shown only to who opened it. */
  window: PairingWindow.omit({ code: true }).nullable(),
  reason: z.string().nullable(),
});
export type PairingWindowEvent = z.infer<typeof PairingWindowEvent>;

export const PairingOverview = z.object({ window: PairingWindow.nullable(), sessions: z.array(PairingSession) });
export type PairingOverview = z.infer<typeof PairingOverview>;

export const JoinRequest = z.strictObject({
  address: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).optional(),
  code: z.string().min(8).max(16),
});
export type JoinRequest = z.infer<typeof JoinRequest>;

export const ConfirmRequest = z.strictObject({
  policy: PresetName,
  /** How long to wait for the other side's decision, seconds (0: answer at once). */
  waitSeconds: z.number().int().min(0).max(300).optional(),
});
export type ConfirmRequest = z.infer<typeof ConfirmRequest>;

// ── approvals ───────────────────────────────────────────────────────────────
export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const Approval = z.object({
  id: z.string(),
  peer: z.object({ nodeId: z.string(), name: z.string() }),
  scope: z.string(),
  /** What the peer asked for, in words, e.g. `exec: git pull` */
  summary: z.string(),
  detail: z.unknown(),
  /** Programs the request would run (exec): what "remember" adds to the allow list. */
  programs: z.array(z.string()),
  status: ApprovalStatus,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  remember: z.boolean(),
});
export type Approval = z.infer<typeof Approval>;
export const ApprovalList = z.object({ items: z.array(Approval) });
export type ApprovalList = z.infer<typeof ApprovalList>;

export const ApprovalsQuery = z.strictObject({ status: ApprovalStatus.optional() });
export const DecideApproval = z.strictObject({ decision: z.enum(['approve', 'deny']), remember: z.boolean().optional() });
export type DecideApproval = z.infer<typeof DecideApproval>;
