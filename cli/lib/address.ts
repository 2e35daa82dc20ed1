import net from 'node:net';
import os from 'node:os';
import { DEFAULT_PEER_PORT } from '../../server/protocol/index.js';
import { usageError } from '../errors.js';

/**
 * `192.168.1.20`, `laptop.lan:7718`, `[fe80::1]:7718` or a bare IPv6 address → address and port
 * (7718 unless given). A port that is not 1–65535 is a usage error.
 */
export function parseAddress(text: string, explicitPort?: string): { address: string; port: number } {
  let address = text.trim();
  let port: string | undefined = explicitPort;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(address);
  if (bracketed) {
    address = bracketed[1]!;
    port ??= bracketed[2];
  } else if (!net.isIPv6(address)) {
    const colon = address.lastIndexOf(':');
    if (colon >= 0) {
      port ??= address.slice(colon + 1);
      address = address.slice(0, colon);
    }
  }
  if (address === '') throw usageError(`"${text}" has no address`, 'give the other machine\'s address, e.g. `ferry pair 192.168.1.20:7718`');
  if (port === undefined) return { address, port: DEFAULT_PEER_PORT };
  const n = /^\d+$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) throw usageError(`"${port}" is not a port (1-65535)`, `the other machine's \`ferry pair\` shows its address and port, e.g. 192.168.1.20:${DEFAULT_PEER_PORT}`);
  return { address, port: n };
}

/** `host:port`, with IPv6 addresses in brackets so the port stays readable. */
export function hostPort(address: string, port: number | null): string {
  if (port === null) return address;
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * What the other machine should dial to reach this daemon's peer listener: its own address when it
 * is bound to one, else every LAN address of this machine (IPv4, the ones people read out), and
 * the loopback only when there is nothing else.
 */
export function dialAddresses(listen: { host: string; port: number }, interfaces = os.networkInterfaces()): string[] {
  if (!['0.0.0.0', '::', ''].includes(listen.host)) return [hostPort(listen.host, listen.port)];
  const lan: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') lan.push(hostPort(a.address, listen.port));
  }
  return lan.length > 0 ? [...new Set(lan)] : [hostPort('127.0.0.1', listen.port)];
}
