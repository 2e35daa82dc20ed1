import net from 'node:net';
import os from 'node:os';

/**
 * The IPv4 address of each interface to browse on (name → address), loopback included so that
 * several daemons on one machine find each other, as ciao also answers there. `restrict` holds
 * interface names or addresses; loopback is always kept (ciao adds it to a restricted list too).
 */
export function browseInterfaces(restrict?: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, infos] of Object.entries(os.networkInterfaces())) {
    const v4 = infos?.find((i) => i.family === 'IPv4');
    if (!v4) continue;
    if (restrict?.length && !v4.internal && !restrict.includes(name) && !restrict.includes(v4.address)) continue;
    out.set(name, v4.address);
  }
  return out;
}

/**
 * Addresses a peer can be reached on, best first: IPv4 (loopback first, which only shows up for a
 * daemon on this same machine), then routable IPv6. Link-local IPv6 is dropped: mDNS gives no zone
 * (interface) for it, and without one it cannot be connected to.
 */
export function orderAddresses(addresses: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const a of addresses) {
    const family = net.isIP(a);
    if (family === 0) continue;
    if (family === 6 && /^fe[89ab]/i.test(a)) continue;
    seen.add(a);
  }
  const rank = (a: string) => (net.isIPv4(a) ? (a.startsWith('127.') ? 0 : 1) : 2);
  return [...seen].sort((x, y) => rank(x) - rank(y));
}

/**
 * The interfaces to hand ciao. Left to itself, ciao 1.3 lists interfaces with `ip -o link show`
 * and keeps the name as printed, so `veth0@if5` or `eth0@if12` (veth pairs, containers, VLANs)
 * never match `os.networkInterfaces()` and are silently skipped. Naming them here avoids that;
 * loopback is added by ciao itself.
 */
export function advertiseInterfaces(restrict?: string[]): string[] {
  if (restrict?.length) return [...restrict];
  return Object.entries(os.networkInterfaces())
    .filter(([, infos]) => infos?.some((i) => !i.internal))
    .map(([name]) => name)
    .sort();
}
