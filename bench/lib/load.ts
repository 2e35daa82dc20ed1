import type tls from 'node:tls';
import autocannon from 'autocannon';
import { cpuSecondsOf } from './proc.js';
import type { Target } from './servers.js';

export interface LoadSpec {
  connections: number;
  /** Run for this many seconds... */
  durationS?: number;
  /** ...or until this many responses (takes precedence). */
  amount?: number;
  /** The sequence each connection cycles through; the target's own headers are added. */
  requests: autocannon.Request[];
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p99: number };
  /** Share of one core used during the run, by the load generator (this process) and the server. */
  clientCpu: number;
  serverCpu: number;
  /** Server CPU time per response, µs: what a request costs, whoever is the bottleneck. */
  serverCpuUsPerRequest: number;
  statusCodes: Record<string, number>;
}

/**
 * Drive a server with autocannon and measure both sides' CPU. Bounded: a run that does not end
 * within its time limit is stopped and reported as a failure. Any error or non-2xx response
 * fails the run too, so a benchmark never reports the speed of error pages.
 */
export async function load(target: Target, spec: LoadSpec): Promise<LoadResult> {
  return (await drive(target, [target.pid], spec)).result;
}

/**
 * `load`'s run, for any number of server processes (peer-load.ts loadChain sums a chain's): the
 * result with their total CPU, and each one's CPU seconds. `tlsOptions` go to tls.connect.
 */
export async function drive(
  target: { label: string; url: string; headers: Record<string, string>; tlsOptions?: tls.ConnectionOptions },
  pids: number[],
  spec: LoadSpec,
): Promise<{ result: LoadResult; serverCpuS: number[] }> {
  const limitMs = spec.amount !== undefined ? 120_000 : ((spec.durationS ?? 5) + 15) * 1000;
  const cpuOf = () => pids.map((pid) => cpuSecondsOf(pid));
  const cpu0 = { client: process.cpuUsage(), servers: cpuOf(), at: performance.now() };
  // autocannon hands tlsOptions to tls.connect (its README); bench/types declares only the rest.
  const opts: autocannon.Options & { tlsOptions?: tls.ConnectionOptions } = {
    url: target.url,
    connections: spec.connections,
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.durationS ?? 5 }),
    timeout: 10,
    headers: target.headers,
    requests: spec.requests,
    ...(target.tlsOptions ? { tlsOptions: target.tlsOptions } : {}),
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
    result: {
      requests,
      durationS: r.duration,
      rps: requests / r.duration,
      latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p99: r.latency.p99 },
      clientCpu: (client.user + client.system) / 1e6 / wallS,
      serverCpu: total / wallS,
      serverCpuUsPerRequest: (total * 1e6) / requests,
      statusCodes,
    },
    serverCpuS,
  };
}
