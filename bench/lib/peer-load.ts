import { drive, type LoadResult, type LoadSpec } from './load.js';
import { clientTls, type TlsIdentity } from './mtls.js';

/**
 * What one request goes through: a forwarded request costs two daemons, so the server CPU is
 * the sum over every process that serves it. `tls`: speak HTTPS presenting this identity.
 */
export interface ChainTarget {
  label: string;
  url: string;
  headers: Record<string, string>;
  servers: { label: string; pid: number }[];
  tls?: TlsIdentity;
}

export interface ChainLoadResult extends LoadResult {
  /** CPU time per response of each process of the chain, µs (serverCpuUsPerRequest is their sum). */
  cpuUsPerRequestBy: Record<string, number>;
}

/**
 * lib/load.ts `load`, for a chain of servers and with client certificates: same client, same
 * bounds, and the same refusal to time errors (any connection error or non-2xx fails the run).
 */
export async function loadChain(target: ChainTarget, spec: LoadSpec): Promise<ChainLoadResult> {
  const { label, url, headers } = target;
  const { result, serverCpuS } = await drive({ label, url, headers, ...(target.tls ? { tlsOptions: clientTls(target.tls) } : {}) }, target.servers.map((s) => s.pid), spec);
  const { statusCodes, ...rest } = result;
  return {
    ...rest,
    cpuUsPerRequestBy: Object.fromEntries(target.servers.map((s, i) => [s.label, (serverCpuS[i]! * 1e6) / result.requests])),
    statusCodes,
  };
}
