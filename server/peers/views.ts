import type { PeerView } from '../protocol/index.js';
import type { Peer } from '../store/peer-store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface DiscoveredPeer {
  nodeId: string;
  name: string;
  addresses: string[];
  port: number | null;
  version: string | null;
  lastSeen: number;
}

/** How peers are shown to local clients: paired ones with their state, found ones as not paired. */
export class PeerViews {
  constructor(private readonly online: (nodeId: string) => boolean | null) {}

  paired(p: Peer): PeerView {
    return {
      nodeId: p.nodeId,
      name: p.name,
      paired: true,
      source: 'paired',
      fingerprint: p.fingerprint,
      addresses: p.addresses,
      port: p.port,
      online: this.online(p.nodeId),
      lastSeen: iso(p.lastSeen),
      pairedAt: iso(p.pairedAt),
      policy: p.policy,
      version: null,
    };
  }

  found(d: Omit<DiscoveredPeer, 'nodeId'> & { nodeId: string | null }, source: 'mdns' | 'manual'): PeerView {
    return {
      nodeId: d.nodeId,
      name: d.name,
      paired: false,
      source,
      fingerprint: null,
      addresses: d.addresses,
      port: d.port,
      online: true,
      lastSeen: iso(d.lastSeen),
      pairedAt: null,
      policy: null,
      version: d.version,
    };
  }
}
