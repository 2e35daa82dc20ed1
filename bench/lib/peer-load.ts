import type tls from 'node:tls';
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load.js';
import { clientTls, type TlsIdentity } from './mtls.js';
import { cpuSecondsOf } from './proc.js';

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
  const limitMs = spec.amount !== undefined ? 120_000 : ((spec.durationS ?? 5) + 15) * 1000;
  const cpuOf = () => target.servers.map((s) => cpuSecondsOf(s.pid));
  const cpu0 = { client: process.cpuUsage(), servers: cpuOf(), at: performance.now() };
  // autocannon hands tlsOptions to tls.connect (its README); bench/types declares only what load.ts uses.
  const opts: autocannon.Options & { tlsOptions?: tls.ConnectionOptions } = {
    url: target.url,
    connections: spec.connections,
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.durationS ?? 5 }),
    timeout: 10,
    headers: target.headers,
    requests: spec.requests,
    ...(target.tls ? { tlsOptions: clientTls(target.tls) } : {}),
  };
  const instance = autocannon(opts);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    instance.stop();
  }, limitMs);
  const r = await instance;
  clearTimeout(timer);
  const wallS = (performance.now() - cpu0.at) / 1000;
  const client = process.cpuUsage(cpu0.client);
  const serverCpuS = cpuOf().map((s, i) => s - cpu0.servers[i]!);

  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, Number(v.count)]));
  if (timedOut) throw new Error(`${target.label}: the load run did not finish within ${limitMs / 1000} s`);
  if (r.errors > 0 || r.non2xx > 0) {
    throw new Error(`${target.label}: ${r.errors} connection errors, ${r.non2xx} non-2xx responses (${JSON.stringify(statusCodes)})`);
  }
  const requests = r.requests.total;
  const total = serverCpuS.reduce((a, b) => a + b, 0);
  return {
    requests,
    durationS: r.duration,
    rps: requests / r.duration,
    latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p99: r.latency.p99 },
    clientCpu: (client.user + client.system) / 1e6 / wallS,
    serverCpu: total / wallS,
    serverCpuUsPerRequest: (total * 1e6) / requests,
    cpuUsPerRequestBy: Object.fromEntries(target.servers.map((s, i) => [s.label, (serverCpuS[i]! * 1e6) / requests])),
    statusCodes,
  };
}
