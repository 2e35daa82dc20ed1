import crypto from 'node:crypto';
import type { PairingSession, PairingState, PresetName } from '../protocol/index.js';
import type { Ephemeral, SessionKeys } from './pairing-crypto.js';
import type { Info } from './pairing-wire.js';

/** A pairing window opened on this machine (the inviter's side). */
export interface Window {
  id: string;
  /** Normalised code (8 characters) and what the person is shown (XXXX-XXXX). */
  code: string;
  display: string;
  expiresAt: number;
  attemptsLeft: number;
  closed: boolean;
}

/** One pairing attempt, on either side. Kept in memory: a restart ends every pairing in progress. */
export interface Session {
  id: string;
  role: 'inviter' | 'joiner';
  state: PairingState;
  expiresAt: number;
  windowId?: string;
  /** Joiner: the inviter's id for this session, which every later message names. */
  remoteSession?: string;
  /** Inviter: the reveal was received (one per session, even while it is being checked). */
  spent?: boolean;
  eph: Ephemeral;
  nonce: Buffer;
  /** The other side's commitment (inviter) before its reveal. */
  commit?: Buffer;
  t?: Buffer;
  keys?: SessionKeys;
  codeKey?: Buffer;
  sas?: string;
  /** The other side as seen in TLS (fingerprint, certificate) and as it described itself. */
  peerFingerprint?: string;
  peerCertDer?: Buffer;
  peerClaim?: { nodeId: string; name: string };
  peerInfo?: Info;
  peerAddress?: string;
  peerPort?: number;
  localDecision: { decision: 'confirmed'; policy: PresetName } | { decision: 'rejected' } | null;
  remoteDecision: 'confirmed' | 'rejected' | null;
  reason: string | null;
  /** Woken when the state changes (confirm waits on it). */
  waiters: Set<() => void>;
  /** Joiner: polling the inviter for its decision. */
  polling?: boolean;
}

export const newId = () => crypto.randomBytes(18).toString('base64url');

export function sessionView(s: Session): PairingSession {
  const fp = s.peerInfo?.fingerprint ?? s.peerFingerprint;
  return {
    sessionId: s.id,
    role: s.role,
    windowId: s.role === 'inviter' ? (s.windowId ?? null) : null,
    state: s.state,
    sas: s.sas ?? null,
    peer: s.peerInfo ? { nodeId: s.peerInfo.nodeId, name: s.peerInfo.name, fingerprint: fp! } : null,
    localDecision: s.localDecision?.decision ?? null,
    remoteDecision: s.remoteDecision,
    expiresAt: new Date(s.expiresAt).toISOString(),
    reason: s.reason,
  };
}

export const isFinal = (s: Session) => s.state === 'paired' || s.state === 'rejected' || s.state === 'failed' || s.state === 'expired';

/** Wait until the session is final or `ms` have passed. */
export function waitForChange(s: Session, ms: number): Promise<void> {
  if (isFinal(s) || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      s.waiters.delete(wake);
      resolve();
    };
    const wake = () => {
      if (isFinal(s)) done();
    };
    const timer = setTimeout(done, ms);
    s.waiters.add(wake);
  });
}

export function wake(s: Session): void {
  for (const w of [...s.waiters]) w();
}
