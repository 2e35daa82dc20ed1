import crypto from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { NodeIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import { presetPolicy } from '../policy/presets.js';
import { DEFAULT_PEER_PORT, PEER_PREFIX, PresetName, type PatchPeer, type PeerView, type TrustPeer } from '../protocol/index.js';
import { nodeIdFromPublicKey } from '../identity.js';
import { fingerprintOfDer } from './tls.js';
import type { Clock } from '../services/clock.js';
import type { Peer, PeerStore } from '../store/peer-store.js';
import type { PeerClient, PeerTarget } from './client.js';
import { peerAgent } from './tls.js';
import type { DiscoveredPeer, PeerViews } from './views.js';

export interface PeerServiceDeps {
  peers: PeerStore;
  views: PeerViews;
  client: PeerClient;
  identity: NodeIdentity;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  connectTimeoutMs: number;
  /** Machines found on the LAN (mDNS); empty when discovery is off. */
  discovered: () => DiscoveredPeer[];
  /** Close the peer listener's open connections of a certificate (revocation is immediate). */
  dropConnections: (fingerprint: string) => void;
}

interface Hello {
  nodeId: string;
  name: string;
  version: string;
}

/** Paired peers, plus machines found by mDNS or added by address: listing, unpairing, policy. */
export class PeerService {
  /** What each manual address answered last (`address:port` → hello and when). */
  private readonly manualSeen = new Map<string, Hello & { at: number }>();

  constructor(private readonly deps: PeerServiceDeps) {}

  list(): PeerView[] {
    const paired = this.deps.peers.all();
    const pairedIds = new Set(paired.map((p) => p.nodeId));
    const out: PeerView[] = paired.map((p) => this.deps.views.paired(p));
    const listed = new Set(pairedIds);
    for (const d of this.deps.discovered()) {
      if (listed.has(d.nodeId) || d.nodeId === this.deps.identity.nodeId) continue;
      listed.add(d.nodeId);
      out.push(this.deps.views.found(d, 'mdns'));
    }
    for (const m of this.deps.peers.manual()) {
      const seen = this.manualSeen.get(`${m.address}:${m.port}`);
      if (seen && listed.has(seen.nodeId)) continue;
      out.push({
        ...this.deps.views.found(
          { nodeId: seen?.nodeId ?? null, name: seen?.name ?? `${m.address}:${m.port}`, addresses: [m.address], port: m.port, version: seen?.version ?? null, lastSeen: seen?.at ?? m.addedAt },
          'manual',
        ),
        online: seen ? true : false,
      });
    }
    return out;
  }

  /** A paired peer by name or node id. */
  find(ref: string): Peer {
    const p = this.deps.peers.find(ref);
    if (!p) throw new ApiError('peer-not-found', `no paired peer "${ref}": see \`ferry peers\` (names and node ids work)`, { peer: ref });
    return p;
  }

  target(ref: string): PeerTarget {
    const p = this.find(ref);
    return { nodeId: p.nodeId, name: p.name, fingerprint: p.fingerprint, addresses: p.addresses, port: p.port };
  }

  /** Add an address to check and pair with; answers with what is there (or that nothing answered yet). */
  async addManual(address: string, port = DEFAULT_PEER_PORT): Promise<PeerView> {
    if (!net.isIP(address) && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(address)) {
      throw new ApiError('validation-failed', `"${address}" is not an IP address or a host name`);
    }
    this.deps.peers.addManual(address, port, this.deps.clock.now());
    await this.probe(address, port);
    return this.list().find((v) => v.source === 'manual' && v.addresses[0] === address && v.port === port) ?? this.list().find((v) => v.addresses.includes(address))!;
  }

  /** Ask an address who it is (public `hello`, no pairing needed). */
  async probe(address: string, port: number): Promise<Hello | null> {
    const agent = peerAgent(this.deps.identity, { connectTimeoutMs: this.deps.connectTimeoutMs });
    try {
      const hello = await new Promise<Hello>((resolve, reject) => {
        const r = https.get({ host: address, port, path: `${PEER_PREFIX}/hello`, agent, timeout: this.deps.connectTimeoutMs }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d.slice(0, 4096)));
          res.on('end', () => {
            try {
              const h = JSON.parse(text) as Partial<Hello>;
              if (typeof h.nodeId === 'string' && typeof h.name === 'string') resolve({ nodeId: h.nodeId, name: h.name, version: String(h.version ?? '') });
              else reject(new Error('not a Ferry peer port'));
            } catch {
              reject(new Error('not a Ferry peer port'));
            }
          });
        });
        r.once('timeout', () => r.destroy(new Error('timed out')));
        r.once('error', reject);
      });
      this.manualSeen.set(`${address}:${port}`, { ...hello, at: this.deps.clock.now() });
      return hello;
    } catch (err) {
      this.deps.log.debug('manual peer did not answer', { address, port, err: err as Error });
      this.manualSeen.delete(`${address}:${port}`);
      return null;
    } finally {
      agent.destroy();
    }
  }

  /** Re-ask every manual address (from the health loop). */
  async probeManual(): Promise<void> {
    await Promise.all(this.deps.peers.manual().map((m) => this.probe(m.address, m.port)));
  }

  /**
   * Unpair: revoked here at once (the pin is gone and its connections are closed), then the peer
   * is told, if it can be reached, so it forgets us too. A manual entry is simply forgotten.
   */
  async remove(ref: string): Promise<{ removed: string; notified: boolean | null }> {
    const peer = this.deps.peers.find(ref);
    if (!peer) {
      const m = /^(.*?)(?::(\d+))?$/.exec(ref)!;
      const port = m[2] ? Number(m[2]) : DEFAULT_PEER_PORT;
      if (this.deps.peers.removeManual(m[1]!, port)) return { removed: `${m[1]}:${port}`, notified: null };
      for (const x of this.deps.peers.manual()) {
        if (this.manualSeen.get(`${x.address}:${x.port}`)?.name === ref || this.manualSeen.get(`${x.address}:${x.port}`)?.nodeId === ref) {
          this.deps.peers.removeManual(x.address, x.port);
          return { removed: `${x.address}:${x.port}`, notified: null };
        }
      }
      throw new ApiError('peer-not-found', `no peer or manual address "${ref}": see \`ferry peers\``, { peer: ref });
    }
    const target: PeerTarget = { nodeId: peer.nodeId, name: peer.name, fingerprint: peer.fingerprint, addresses: peer.addresses, port: peer.port };
    this.revoke(peer, 'unpaired on this machine');
    let notified = false;
    try {
      // The agent still presents our certificate; the peer recognises us by it and forgets us.
      const res = await this.deps.client.json(target, { method: 'POST', path: '/unpair', signal: AbortSignal.timeout(this.deps.connectTimeoutMs) });
      notified = res.status < 300;
    } catch (err) {
      this.deps.log.info('could not tell the peer it was unpaired (it stays unpaired here)', { peer: peer.name, err: err as Error });
    } finally {
      this.deps.client.drop(peer.fingerprint);
    }
    return { removed: peer.name, notified };
  }

  /** Forget a peer locally: no more pin, no more connections. */
  revoke(peer: Peer, reason: string): void {
    if (!this.deps.peers.remove(peer.nodeId)) return;
    this.deps.dropConnections(peer.fingerprint);
    this.deps.bus.publish('peer.removed', { nodeId: peer.nodeId, name: peer.name, reason });
  }

  /**
   * Pin a certificate directly (local fleets: both daemons belong to the caller, who holds both
   * admin tokens). Trusting the same node again updates where it is; a new name is kept free.
   */
  trust(req: TrustPeer): PeerView {
    let cert: crypto.X509Certificate;
    try {
      cert = new crypto.X509Certificate(req.certificate);
    } catch {
      throw new ApiError('validation-failed', 'certificate: not a valid PEM certificate');
    }
    const nodeId = nodeIdFromPublicKey(cert.publicKey.export({ type: 'spki', format: 'der' }));
    if (nodeId === this.deps.identity.nodeId) throw new ApiError('validation-failed', 'that is this daemon\'s own certificate');
    const parsed = PresetName.safeParse(req.policy ?? 'collaborator');
    const policy = parsed.success ? presetPolicy(parsed.data) : (req.policy as Peer['policy']);
    const peers = this.deps.peers;
    const peer = peers.transaction(() => {
      const old = peers.byId(nodeId);
      if (old) peers.remove(nodeId);
      const p: Peer = {
        nodeId,
        name: old?.name === req.name || !peers.byName(req.name) ? req.name : peers.freeName(req.name),
        fingerprint: fingerprintOfDer(cert.raw),
        certificate: cert.toString(),
        addresses: req.addresses,
        port: req.port,
        policy: old?.policy ?? policy,
        pairedAt: old?.pairedAt ?? this.deps.clock.now(),
        lastSeen: null,
        // Trust without a ceremony is for daemons on this machine: loopback only. A machine that
        // was paired by a ceremony keeps what the ceremony gave it.
        localOnly: old ? old.localOnly : true,
      };
      peers.insert(p);
      return p;
    });
    this.deps.client.drop(peer.fingerprint);
    const view = this.deps.views.paired(peer);
    this.deps.bus.publish('peer.updated', { peer: view });
    return view;
  }

  patch(ref: string, change: PatchPeer): PeerView {
    const peer = this.find(ref);
    this.deps.peers.transaction(() => {
      if (change.name !== undefined && change.name !== peer.name) {
        const other = this.deps.peers.byName(change.name);
        if (other) throw new ApiError('validation-failed', `another peer is already called "${change.name}"`);
        this.deps.peers.setName(peer.nodeId, change.name);
      }
      if (change.policy !== undefined) {
        const parsed = PresetName.safeParse(change.policy);
        this.deps.peers.setPolicy(peer.nodeId, parsed.success ? presetPolicy(parsed.data) : (change.policy as Peer['policy']));
      }
    });
    const view = this.deps.views.paired(this.find(peer.nodeId));
    this.deps.bus.publish('peer.updated', { peer: view });
    return view;
  }

  /** A request from the peer arrived: remember when and from where (at most once a minute). */
  seen(peer: { nodeId: string }, address: string): void {
    const p = this.deps.peers.byId(peer.nodeId);
    if (!p) return;
    const now = this.deps.clock.now();
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    if (p.lastSeen !== null && now - p.lastSeen < 60_000 && p.addresses.includes(plain)) return;
    this.deps.peers.seen(p.nodeId, now, [plain, ...p.addresses.filter((a) => a !== plain)].slice(0, 8));
  }

  /** Health of a paired peer: its `health` answers over mutual TLS. */
  async check(nodeId: string, timeoutMs: number): Promise<boolean> {
    const p = this.deps.peers.byId(nodeId);
    if (!p) return false;
    try {
      const res = await this.deps.client.json<{ status?: string }>(
        { nodeId: p.nodeId, name: p.name, fingerprint: p.fingerprint, addresses: p.addresses, port: p.port },
        { method: 'GET', path: '/health', signal: AbortSignal.timeout(timeoutMs) },
      );
      return res.status === 200;
    } catch {
      return false;
    }
  }
}
