import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import { nodeIdFromPublicKey, type NodeIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import { presetPolicy } from '../policy/presets.js';
import { PEER_PREFIX, type ErrorCode, type PairingOverview, type PairingSession, type PairingWindow, type PresetName } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import type { PeerStore } from '../store/peer-store.js';
import { hostForUrl } from './client.js';
import * as pc from './pairing-crypto.js';
import { isFinal, newId, sessionView, wake, waitForChange, type Session, type Window } from './pairing-session.js';
import * as wire from './pairing-wire.js';
import { derToPem, peerAgent } from './tls.js';
import type { PeerViews } from './views.js';
import crypto from 'node:crypto';

const WINDOW_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
const MAX_SESSIONS_PER_WINDOW = 16;
/** Finished sessions stay readable this long (a joiner polling after a lost reply). */
const KEEP_FINISHED_MS = 10 * 60_000;

export interface PairingDeps {
  identity: NodeIdentity;
  name: () => string;
  version: string;
  peerPort: () => number;
  peers: PeerStore;
  views: PeerViews;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  connectTimeoutMs: number;
  /** Called when a peer was (re)paired: drop cached connections to an older certificate. */
  onPaired?: (nodeId: string) => void;
}

/** Who is on the other end of a peer-port request, from its TLS session. */
export interface TlsPeer {
  fingerprint: string;
  der: Buffer;
  remoteAddress: string;
}

const nodeIdOfCert = (der: Buffer) => nodeIdFromPublicKey(new crypto.X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }));
const plainAddress = (a: string) => (a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a);

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError('pairing-failed', `malformed ${what}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/**
 * Pairing, both sides: the inviter (a window with a one-time code; answers the handshake on the
 * peer port) and the joiner (dials the inviter). Both show the same six-digit comparison code and
 * store the other only when BOTH humans confirmed. docs/peers.md has the protocol.
 */
export class PairingService {
  private window: Window | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: PairingDeps) {
    this.timer = setInterval(() => this.sweep(), 5_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const s of this.sessions.values()) if (!isFinal(s)) this.end(s, 'expired', 'the daemon is shutting down');
  }

  private now() {
    return this.deps.clock.now();
  }

  private ownInfo(): wire.Info {
    return { fingerprint: this.deps.identity.fingerprint, nodeId: this.deps.identity.nodeId, name: this.deps.name(), peerPort: this.deps.peerPort(), version: this.deps.version };
  }

  // ── the window (inviter, local API) ────────────────────────────────────────
  openWindow(): PairingWindow {
    this.closeWindow('a new window was opened');
    const display = pc.newInviteCode();
    this.window = { id: newId(), code: pc.normalizeCode(display)!, display, expiresAt: this.now() + WINDOW_MS, attemptsLeft: MAX_ATTEMPTS, closed: false };
    const { code: _code, ...shown } = this.windowView(this.window)!;
    this.deps.bus.publish('pairing.window', { windowId: shown.windowId, state: 'open', window: shown, reason: null });
    return this.windowView(this.window)!;
  }

  closeWindow(reason = 'the window was closed'): boolean {
    const w = this.window;
    if (!w) return false;
    w.closed = true;
    this.window = null;
    this.deps.bus.publish('pairing.window', { windowId: w.id, state: 'closed', window: null, reason });
    for (const s of this.sessions.values()) if (s.windowId === w.id && (s.state === 'started' || s.state === 'awaiting-confirmation')) this.end(s, 'failed', reason);
    return true;
  }

  overview(): PairingOverview {
    return { window: this.windowView(this.openWindowOrNull()), sessions: [...this.sessions.values()].map(sessionView) };
  }

  private windowView(w: Window | null): PairingWindow | null {
    return w && { windowId: w.id, code: w.display, expiresAt: new Date(w.expiresAt).toISOString(), attemptsLeft: w.attemptsLeft };
  }

  private openWindowOrNull(): Window | null {
    if (this.window && (this.window.closed || this.window.expiresAt <= this.now())) this.closeWindow('the window expired');
    return this.window;
  }

  session(id: string): PairingSession {
    return sessionView(this.get(id));
  }

  private get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError('pairing-session-not-found', `no pairing session "${id}" (it may have expired)`);
    return s;
  }

  // ── inviter: the handshake on the peer port ────────────────────────────────
  start(tls: TlsPeer, body: unknown): z.infer<typeof wire.StartReply> {
    const msg = parse(wire.StartBody, body, 'start message');
    const w = this.openWindowOrNull();
    if (!w) throw new ApiError('no-pairing-window', 'this machine is not accepting pairings: open a window on it first (`ferry pair`)');
    if ([...this.sessions.values()].filter((s) => s.windowId === w.id).length >= MAX_SESSIONS_PER_WINDOW) {
      throw new ApiError('pairing-window-closed', 'too many pairing attempts on this window: open a new one');
    }
    if (nodeIdOfCert(tls.der) !== msg.nodeId) throw new ApiError('pairing-failed', 'the node id does not belong to the certificate presented');
    if (tls.fingerprint === this.deps.identity.fingerprint) throw new ApiError('pairing-failed', 'a node cannot pair with itself');
    const s: Session = {
      id: newId(),
      role: 'inviter',
      state: 'started',
      expiresAt: w.expiresAt,
      windowId: w.id,
      eph: pc.ephemeral(),
      nonce: pc.nonce(),
      commit: pc.fromB64(msg.commit),
      peerFingerprint: tls.fingerprint,
      peerCertDer: tls.der,
      peerClaim: { nodeId: msg.nodeId, name: msg.name },
      peerAddress: plainAddress(tls.remoteAddress),
      localDecision: null,
      remoteDecision: null,
      reason: null,
      waiters: new Set(),
    };
    this.sessions.set(s.id, s);
    return { session: s.id, pk: pc.b64(s.eph.publicRaw), nonce: pc.b64(s.nonce), nodeId: this.deps.identity.nodeId, name: this.deps.name() };
  }

  /** The joiner's reveal: commitment, code, identities. A wrong code costs the window one try. */
  async reveal(tls: TlsPeer, body: unknown): Promise<z.infer<typeof wire.RevealReply>> {
    const msg = parse(wire.RevealBody, body, 'reveal message');
    const s = this.inviterSession(msg.session, tls, 'started');
    const w = this.window;
    if (!w || w.id !== s.windowId || w.closed || w.expiresAt <= this.now()) {
      this.end(s, 'failed', 'the pairing window closed');
      throw new ApiError('pairing-window-closed', 'the pairing window has closed: open a new one');
    }
    const pkB = pc.fromB64(msg.pk);
    const nB = pc.fromB64(msg.nonce);
    // From here on the session is spent, whatever happens: no second reveal, no retries.
    s.spent = true;
    if (!pc.macEquals(pc.commitment(pkB, nB), s.commit!)) return this.fail(s, 'pairing-failed', 'the key revealed is not the one committed to');
    const t = pc.transcript({ fpA: this.deps.identity.fingerprint, fpB: tls.fingerprint, nodeIdA: this.deps.identity.nodeId, nodeIdB: s.peerClaim!.nodeId, pkA: s.eph.publicRaw, pkB, nA: s.nonce, nB });
    let keys: pc.SessionKeys;
    try {
      keys = pc.deriveKeys(s.eph.privateKey, pkB, t);
    } catch (err) {
      return this.fail(s, 'pairing-failed', `key exchange failed: ${(err as Error).message}`);
    }
    const ck = await pc.codeKey(w.code, t);
    if (!pc.macEquals(pc.fromB64(msg.mac), pc.codeMac(ck, t, 'B'))) {
      w.attemptsLeft--;
      const left = w.attemptsLeft;
      if (left <= 0) this.closeWindow('five wrong invite codes: the window is closed');
      else {
        const { code: _code, ...shown } = this.windowView(w)!;
        this.deps.bus.publish('pairing.window', { windowId: w.id, state: 'open', window: shown, reason: `a wrong invite code was tried (${left} tries left)` });
      }
      this.end(s, 'failed', 'wrong invite code');
      throw new ApiError('pairing-code-wrong', left > 0 ? `wrong invite code (${left} tries left on this window)` : 'wrong invite code: that was the last try, the window is closed', {
        attemptsLeft: Math.max(0, left),
      });
    }
    let info: wire.Info;
    try {
      info = parse(wire.Info, pc.open(keys.bToA, t, 'info', msg.sealed), 'sealed description');
    } catch (err) {
      return this.fail(s, 'pairing-failed', `the sealed description does not open: ${(err as Error).message}`);
    }
    if (info.fingerprint !== tls.fingerprint || info.nodeId !== s.peerClaim!.nodeId) {
      return this.fail(s, 'pairing-failed', 'the joiner described itself with an identity that is not the one it presented');
    }
    Object.assign(s, { t, keys, codeKey: ck, sas: pc.sas(keys, t), peerInfo: info, peerPort: info.peerPort, state: 'awaiting-confirmation' as const });
    this.deps.bus.publish('pairing.requested', { session: sessionView(s) });
    return { mac: pc.b64(pc.codeMac(ck, t, 'A')), sealed: pc.seal(keys.aToB, t, 'info', this.ownInfo()) };
  }

  /** The joiner's human decided. */
  remoteDecision(tls: TlsPeer, body: unknown): z.infer<typeof wire.SealedReply> {
    const msg = parse(wire.SealedBody, body, 'decision');
    const s = this.inviterSession(msg.session, tls);
    const d = this.openFrom(s, 'decision', msg.sealed, wire.Decision);
    if (!isFinal(s)) {
      s.remoteDecision = d.decision;
      if (d.decision === 'rejected') this.end(s, 'rejected', `${s.peerInfo?.name ?? 'the other machine'} rejected the pairing`);
      else this.maybeFinalize(s);
    }
    return this.statusReply(s);
  }

  remoteStatus(tls: TlsPeer, body: unknown): z.infer<typeof wire.SealedReply> {
    const msg = parse(wire.SealedBody, body, 'status request');
    const s = this.inviterSession(msg.session, tls);
    this.openFrom(s, 'status-request', msg.sealed, wire.StatusRequest);
    return this.statusReply(s);
  }

  private inviterSession(id: string, tls: TlsPeer, state?: Session['state']): Session {
    const s = this.sessions.get(id);
    // The same certificate must carry every step: a session cannot be continued by someone else.
    if (!s || s.role !== 'inviter' || s.peerFingerprint !== tls.fingerprint) throw new ApiError('pairing-session-not-found', 'no such pairing session');
    if (state && (s.state !== state || s.spent)) throw new ApiError('pairing-state', `this pairing step was already taken (the session is ${s.state})`);
    if (!state && !s.keys) throw new ApiError('pairing-state', 'the handshake is not complete');
    return s;
  }

  private openFrom<T extends z.ZodType>(s: Session, label: string, sealed: string, schema: T): z.infer<T> {
    const key = s.role === 'inviter' ? s.keys!.bToA : s.keys!.aToB;
    try {
      return parse(schema, pc.open(key, s.t!, label, sealed), label);
    } catch {
      throw new ApiError('pairing-failed', `the ${label} message does not open with this session's key`);
    }
  }

  private statusReply(s: Session): z.infer<typeof wire.SealedReply> {
    const state: wire.StatusReply['state'] = s.state === 'paired' || s.state === 'rejected' || s.state === 'expired' || s.state === 'failed' ? s.state : 'waiting';
    const key = s.role === 'inviter' ? s.keys!.aToB : s.keys!.bToA;
    return { sealed: pc.seal(key, s.t!, 'status', { state }) };
  }

  // ── joiner: dialling the inviter ───────────────────────────────────────────
  async join(req: { address: string; port: number; code: string }): Promise<PairingSession> {
    const code = pc.normalizeCode(req.code);
    if (!code) throw new ApiError('validation-failed', 'the invite code is 8 letters and digits, like 7K3M-Q9TX (dashes and case do not matter)');
    let server: { fingerprint: string; der: Buffer } | undefined;
    const first = peerAgent(this.deps.identity, { connectTimeoutMs: this.deps.connectTimeoutMs, onFingerprint: (fingerprint, der) => (server ??= { fingerprint, der }) });
    const s: Session = {
      id: newId(),
      role: 'joiner',
      state: 'started',
      expiresAt: this.now() + WINDOW_MS,
      eph: pc.ephemeral(),
      nonce: pc.nonce(),
      peerAddress: req.address,
      peerPort: req.port,
      localDecision: null,
      remoteDecision: null,
      reason: null,
      waiters: new Set(),
    };
    try {
      const started = parse(
        wire.StartReply,
        await this.post(first, s, '/pair/start', { v: 1, commit: pc.b64(pc.commitment(s.eph.publicRaw, s.nonce)), nodeId: this.deps.identity.nodeId, name: this.deps.name() }),
        'start reply',
      );
      first.destroy();
      if (!server) throw new ApiError('pairing-failed', 'the other machine presented no certificate');
      if (nodeIdOfCert(server.der) !== started.nodeId) throw new ApiError('pairing-failed', 'the node id does not belong to the certificate the other machine presented');
      s.peerFingerprint = server.fingerprint;
      s.peerCertDer = server.der;
      s.peerClaim = { nodeId: started.nodeId, name: started.name };
      const pkA = pc.fromB64(started.pk);
      const t = pc.transcript({ fpA: server.fingerprint, fpB: this.deps.identity.fingerprint, nodeIdA: started.nodeId, nodeIdB: this.deps.identity.nodeId, pkA, pkB: s.eph.publicRaw, nA: pc.fromB64(started.nonce), nB: s.nonce });
      const keys = pc.deriveKeys(s.eph.privateKey, pkA, t);
      const ck = await pc.codeKey(code, t);
      Object.assign(s, { t, keys, codeKey: ck });
      this.sessions.set(s.id, s);
      s.remoteSession = started.session;
      const pinned = this.pinnedAgent(s);
      const revealed = parse(
        wire.RevealReply,
        await this.post(pinned, s, '/pair/reveal', {
          session: started.session,
          pk: pc.b64(s.eph.publicRaw),
          nonce: pc.b64(s.nonce),
          mac: pc.b64(pc.codeMac(ck, t, 'B')),
          sealed: pc.seal(keys.bToA, t, 'info', this.ownInfo()),
        }),
        'reveal reply',
      );
      pinned.destroy();
      if (!pc.macEquals(pc.fromB64(revealed.mac), pc.codeMac(ck, t, 'A'))) throw new ApiError('pairing-failed', 'the other machine does not know the invite code: it is not the machine that showed it');
      const info = parse(wire.Info, pc.open(keys.aToB, t, 'info', revealed.sealed), 'sealed description');
      if (info.fingerprint !== server.fingerprint || info.nodeId !== started.nodeId) throw new ApiError('pairing-failed', 'the other machine described itself with an identity that is not the one it presented');
      Object.assign(s, { sas: pc.sas(keys, t), peerInfo: info, state: 'awaiting-confirmation' as const });
      this.deps.bus.publish('pairing.requested', { session: sessionView(s) });
      return sessionView(s);
    } catch (err) {
      first.destroy();
      this.sessions.set(s.id, s);
      this.end(s, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  private pinnedAgent(s: Session): https.Agent {
    return peerAgent(this.deps.identity, { expected: s.peerFingerprint!, connectTimeoutMs: this.deps.connectTimeoutMs });
  }

  /** POST a pairing message to the inviter; its error envelope becomes ours (same code). */
  private async post(agent: https.Agent, s: Session, path: string, body: unknown): Promise<unknown> {
    const data = Buffer.from(JSON.stringify(body));
    let res: http.IncomingMessage;
    try {
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const r = https.request(
          {
            host: s.peerAddress,
            port: s.peerPort,
            method: 'POST',
            path: `${PEER_PREFIX}${path}`,
            agent,
            headers: { 'content-type': 'application/json', 'content-length': String(data.length), accept: 'application/json' },
            timeout: 30_000,
          },
          resolve,
        );
        r.once('timeout', () => r.destroy(new Error('no answer within 30 s')));
        r.once('error', reject);
        r.end(data);
      });
    } catch (err) {
      throw new ApiError('peer-unreachable', `cannot reach ${hostForUrl(s.peerAddress!)}:${s.peerPort}: ${(err as Error).message}`);
    }
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ApiError('pairing-failed', `the other machine answered something that is not JSON (HTTP ${res.statusCode}): is it a Ferry peer port?`);
    }
    if ((res.statusCode ?? 500) >= 400) {
      const e = (parsed as { error?: { code?: string; message?: string; details?: unknown } }).error;
      const known: ErrorCode[] = ['no-pairing-window', 'pairing-code-wrong', 'pairing-window-closed', 'pairing-failed', 'pairing-state', 'rate-limited'];
      const code = known.includes(e?.code as ErrorCode) ? (e!.code as ErrorCode) : 'peer-error';
      throw new ApiError(code, `the other machine refused: ${e?.message ?? `HTTP ${res.statusCode}`}`, e?.details);
    }
    return parsed;
  }

  // ── decisions (local API, either side) ─────────────────────────────────────
  async confirm(id: string, policy: PresetName, waitMs: number): Promise<PairingSession> {
    const s = this.get(id);
    if (s.state !== 'awaiting-confirmation') throw new ApiError('pairing-state', `this pairing is ${s.state}: nothing to confirm`);
    s.localDecision = { decision: 'confirmed', policy };
    s.state = 'waiting-for-peer';
    if (s.role === 'inviter') this.maybeFinalize(s);
    else {
      await this.tellInviter(s, 'confirmed');
      if (!isFinal(s)) void this.pollInviter(s);
    }
    await waitForChange(s, waitMs);
    return sessionView(s);
  }

  async reject(id: string): Promise<PairingSession> {
    const s = this.get(id);
    if (isFinal(s)) throw new ApiError('pairing-state', `this pairing is already ${s.state}`);
    s.localDecision = { decision: 'rejected' };
    this.end(s, 'rejected', 'rejected on this machine');
    if (s.role === 'joiner' && s.keys) await this.tellInviter(s, 'rejected').catch(() => undefined);
    return sessionView(s);
  }

  private async tellInviter(s: Session, decision: 'confirmed' | 'rejected'): Promise<void> {
    const agent = this.pinnedAgent(s);
    try {
      const sealed = pc.seal(s.keys!.bToA, s.t!, 'decision', { decision });
      const reply = parse(wire.SealedReply, await this.post(agent, s, '/pair/confirm', { session: s.remoteSession, sealed }), 'decision reply');
      this.applyInviterStatus(s, this.openFrom(s, 'status', reply.sealed, wire.StatusReply));
    } finally {
      agent.destroy();
    }
  }

  /** The joiner asks the inviter, once a second, until the inviter's human has decided. */
  private async pollInviter(s: Session): Promise<void> {
    if (s.polling) return;
    s.polling = true;
    const agent = this.pinnedAgent(s);
    try {
      while (!isFinal(s) && this.now() < s.expiresAt) {
        await new Promise((r) => setTimeout(r, 1000));
        if (isFinal(s)) break;
        try {
          const reply = parse(wire.SealedReply, await this.post(agent, s, '/pair/status', { session: s.remoteSession, sealed: pc.seal(s.keys!.bToA, s.t!, 'status-request', { ask: 'status' }) }), 'status reply');
          this.applyInviterStatus(s, this.openFrom(s, 'status', reply.sealed, wire.StatusReply));
        } catch (err) {
          this.deps.log.debug('pairing status poll failed; retrying', { sessionId: s.id, err: err as Error });
        }
      }
    } finally {
      s.polling = false;
      agent.destroy();
    }
  }

  private applyInviterStatus(s: Session, st: wire.StatusReply): void {
    if (isFinal(s)) return;
    if (st.state === 'paired') {
      s.remoteDecision = 'confirmed';
      this.maybeFinalize(s);
    } else if (st.state === 'rejected') {
      s.remoteDecision = 'rejected';
      this.end(s, 'rejected', `${s.peerInfo?.name ?? 'the other machine'} rejected the pairing`);
    } else if (st.state === 'expired' || st.state === 'failed') this.end(s, 'failed', `the other machine ended the pairing (${st.state})`);
  }

  /** Both humans confirmed: pin the other machine, with the policy this side's human chose. */
  private maybeFinalize(s: Session): void {
    if (isFinal(s) || s.localDecision?.decision !== 'confirmed' || s.remoteDecision !== 'confirmed') return;
    const info = s.peerInfo!;
    const { peers } = this.deps;
    const policy = presetPolicy(s.localDecision.policy);
    const peer = peers.transaction(() => {
      // A machine paired again (it forgot us, or re-installed) replaces its old entry.
      const old = peers.byId(info.nodeId) ?? peers.byFingerprint(info.fingerprint);
      if (old) peers.remove(old.nodeId);
      const p = {
        nodeId: info.nodeId,
        name: old?.name ?? peers.freeName(info.name),
        fingerprint: info.fingerprint,
        certificate: derToPem(s.peerCertDer!),
        addresses: [s.peerAddress!],
        port: s.role === 'inviter' ? info.peerPort : s.peerPort!,
        policy,
        pairedAt: this.now(),
        lastSeen: this.now(),
        // Paired by a ceremony: usable from wherever it is (a local-only trust ends here too).
        localOnly: false,
      };
      peers.insert(p);
      return p;
    });
    s.state = 'paired';
    s.reason = null;
    if (s.role === 'inviter') this.closeWindow('the invite code was used');
    this.deps.onPaired?.(peer.nodeId);
    this.deps.bus.publish('pairing.completed', { session: sessionView(s), peer: this.deps.views.paired(peer) });
    wake(s);
  }

  private end(s: Session, state: 'failed' | 'rejected' | 'expired', reason: string): void {
    if (isFinal(s)) return;
    s.state = state;
    s.reason = reason;
    this.deps.bus.publish('pairing.failed', { session: sessionView(s) });
    wake(s);
  }

  private fail(s: Session, code: ErrorCode, message: string): never {
    this.end(s, 'failed', message);
    throw new ApiError(code, message);
  }

  private sweep(): void {
    const now = this.now();
    this.openWindowOrNull();
    for (const s of [...this.sessions.values()]) {
      if (!isFinal(s) && s.expiresAt <= now) this.end(s, 'expired', 'nobody decided within 5 minutes');
      if (isFinal(s) && s.expiresAt + KEEP_FINISHED_MS <= now) this.sessions.delete(s.id);
    }
  }
}
