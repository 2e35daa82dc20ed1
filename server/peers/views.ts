import { presetPolicy } from '../policy/presets.js';
import { PRESETS, type Policy, type PeerView, type PresetName } from '../protocol/index.js';
import type { Peer } from '../store/peer-store.js';
import { isoOrNull } from '../util/time.js';

/** Canonical JSON: the same policy with lists in another order is the same policy. */
const canonical = (p: Policy) =>
  JSON.stringify(p, (_k, v: unknown) => (Array.isArray(v) ? [...(v as unknown[])].map(String).sort() : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort()) : v));

/** The preset a policy is exactly, if any. */
export function presetOf(policy: Policy): PresetName | null {
  const c = canonical(policy);
  return PRESETS.find((name) => canonical(presetPolicy(name)) === c) ?? null;
}


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
      lastSeen: isoOrNull(p.lastSeen),
      pairedAt: isoOrNull(p.pairedAt),
      policy: p.policy,
      preset: presetOf(p.policy),
      version: null,
      localOnly: p.localOnly,
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
      lastSeen: isoOrNull(d.lastSeen),
      pairedAt: null,
      policy: null,
      preset: null,
      version: d.version,
    };
  }
}
