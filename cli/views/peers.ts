import { presetPolicy } from '../../server/policy/presets.js';
import { PRESETS, type Policy, type PeerView } from '../../server/protocol/index.js';
import { hostPort } from '../lib/address.js';
import { formatTime, table } from './format.js';

/** The same policy, with object keys in one order, so two policies compare as text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * How to call a peer's policy (when the daemon did not name its preset): the preset it is, `collaborator +git,make` when only programs
 * approved with "remember" were added to a preset, else `custom`.
 */
export function policyLabel(policy: Policy | null): string {
  if (!policy) return '-';
  for (const name of PRESETS) {
    const preset = presetPolicy(name);
    if (same(policy, preset)) return name;
    const extra = policy.exec.allow.filter((p) => !preset.exec.allow.includes(p));
    if (extra.length > 0 && same({ ...policy, exec: { ...policy.exec, allow: preset.exec.allow } }, preset)) return `${name} +${extra.join(',')}`;
  }
  return 'custom';
}

const stateText = (p: PeerView) => (p.paired ? 'paired' : `found (${p.source})`);
const onlineText = (p: PeerView) => (p.online === null ? '-' : p.online ? 'online' : 'offline');
const addressText = (p: PeerView) => p.addresses.map((a) => hostPort(a, p.port)).join(', ') || '-';

export function peersTable(peers: PeerView[]): string[] {
  return table([
    ['NAME', 'STATE', 'ONLINE', 'ADDRESS', 'POLICY', 'LAST SEEN'],
    ...peers.map((p) => [p.name, stateText(p), onlineText(p), addressText(p), p.preset ?? policyLabel(p.policy), formatTime(p.lastSeen)]),
  ]);
}

/** Piped: tab-separated, complete values, ISO times; the node id last. */
export function peersPlain(peers: PeerView[]): string[] {
  return peers.map((p) => [p.name, p.paired ? 'paired' : p.source, onlineText(p), p.addresses.map((a) => hostPort(a, p.port)).join(','), p.preset ?? policyLabel(p.policy), p.lastSeen ?? '-', p.nodeId ?? '-'].join('\t'));
}
