import type { Logger } from '../log.js';
import { orderAddresses } from './net.js';

/** A Ferry daemon seen on the LAN (paired or not: pairing is not discovery's business). */
export interface DiscoveredPeer {
  nodeId: string;
  /** Its mDNS instance name: the daemon's name, unless ciao had to rename it ("name (2)"). */
  name: string;
  /** Best first: IPv4 (loopback only for a daemon on this machine), then routable IPv6. */
  addresses: string[];
  /** Its peer port (TXT `port`, else the SRV port). */
  port: number;
  version: string;
  /** ms since the epoch of the last answer or announcement heard from it. */
  lastSeen: number;
}

/** `up`: appeared, or its name, addresses, port or version changed. `down`: said goodbye or went silent. */
export interface DiscoveryChange {
  type: 'up' | 'down';
  peer: DiscoveredPeer;
  /** For `down`: goodbye packets (TTL 0), or nothing heard for the staleness bound. */
  reason?: 'goodbye' | 'stale';
}

/** What one mDNS packet said about one service instance. */
export interface Observation {
  fqdn: string;
  nodeId: string;
  name: string;
  port: number;
  version: string;
  addresses: string[];
  /** The packet carried A/AAAA records for the host: they replace what was known. */
  hasAddressRecords: boolean;
  /** The packet's source address. */
  via: string;
  at: number;
}

interface Source {
  fqdn: string;
  name: string;
  port: number;
  version: string;
  addresses: string[];
  lastSeen: number;
}

interface Entry {
  /** Keyed by FQDN and the address the packets came from: a daemon on this machine answers both
   * on loopback and on the LAN, each with its own addresses, and neither may overwrite the other. */
  sources: Map<string, Source>;
  announced: DiscoveredPeer | null;
}

export const MAX_PEERS = 256;
/** Paths (service name × source address) kept per node: a node on several links, or renamed. */
const MAX_SOURCES = 16;

/** The peers heard on the LAN by node id, merged over every path they are heard on. */
export class PeerTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { staleAfterMs: number; onChange: (c: DiscoveryChange) => void; log: Logger }) {}

  observe(o: Observation): void {
    let entry = this.entries.get(o.nodeId);
    if (!entry) {
      // Anyone on the LAN can answer with made-up node ids: the table stays bounded.
      if (this.entries.size >= MAX_PEERS) {
        this.opts.log.debug('discovery: table full, ignoring a new node', { nodeId: o.nodeId, max: MAX_PEERS });
        return;
      }
      entry = { sources: new Map(), announced: null };
      this.entries.set(o.nodeId, entry);
    }
    const key = `${o.fqdn}|${o.via}`;
    const prev = entry.sources.get(key);
    if (!prev && entry.sources.size >= MAX_SOURCES) {
      const oldest = [...entry.sources].sort((x, y) => x[1].lastSeen - y[1].lastSeen)[0];
      if (oldest) entry.sources.delete(oldest[0]);
    }
    const addresses = o.hasAddressRecords || !prev ? o.addresses : orderAddresses([...prev.addresses, ...o.addresses]);
    entry.sources.set(key, { fqdn: o.fqdn, name: o.name, port: o.port, version: o.version, addresses, lastSeen: o.at });
    this.publish(o.nodeId, entry);
  }

  /** A goodbye for this service instance (on any path). */
  forget(fqdn: string): void {
    const f = fqdn.toLowerCase();
    for (const [nodeId, entry] of this.entries) {
      let touched = false;
      for (const [key, s] of entry.sources) {
        if (s.fqdn !== f) continue;
        entry.sources.delete(key);
        touched = true;
      }
      if (touched) this.publish(nodeId, entry, 'goodbye');
    }
  }

  /** Drop what has not been heard of for `staleAfterMs` (a machine that lost power says no goodbye). */
  sweep(now: number): void {
    for (const [nodeId, entry] of this.entries) {
      let touched = false;
      for (const [key, s] of entry.sources) {
        if (now - s.lastSeen <= this.opts.staleAfterMs) continue;
        entry.sources.delete(key);
        touched = true;
      }
      if (touched) this.publish(nodeId, entry, 'stale');
    }
  }

  list(): DiscoveredPeer[] {
    return [...this.entries.values()]
      .flatMap((e) => (e.announced ? [this.merge(e, e.announced.nodeId)!] : []))
      .sort((a, b) => a.name.localeCompare(b.name) || a.nodeId.localeCompare(b.nodeId));
  }

  clear(): void {
    this.entries.clear();
  }

  private merge(entry: Entry, nodeId: string): DiscoveredPeer | null {
    const sources = [...entry.sources.values()].sort((a, b) => b.lastSeen - a.lastSeen);
    const latest = sources[0];
    if (!latest) return null;
    return {
      nodeId,
      name: latest.name,
      // In the order the paths were first heard, not by recency: the list must not flap between answers.
      addresses: orderAddresses([...entry.sources.values()].flatMap((s) => s.addresses)),
      port: latest.port,
      version: latest.version,
      lastSeen: latest.lastSeen,
    };
  }

  private publish(nodeId: string, entry: Entry, reason?: DiscoveryChange['reason']): void {
    const peer = this.merge(entry, nodeId);
    const before = entry.announced;
    if (!peer) {
      this.entries.delete(nodeId);
      if (before) this.emit({ type: 'down', peer: before, reason });
      return;
    }
    entry.announced = peer;
    if (before && sameShape(before, peer)) return;
    this.emit({ type: 'up', peer });
  }

  private emit(change: DiscoveryChange): void {
    try {
      this.opts.onChange(change);
    } catch (err) {
      this.opts.log.warn('discovery: change listener failed', { err, nodeId: change.peer.nodeId });
    }
  }
}

function sameShape(a: DiscoveredPeer, b: DiscoveredPeer): boolean {
  return a.name === b.name && a.port === b.port && a.version === b.version && a.addresses.join() === b.addresses.join();
}
