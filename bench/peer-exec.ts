import { stats, type Bench } from './lib/bench.js';
import { requestJson, type JsonResponse } from './lib/http.js';
import { mtlsAgent, mtlsJson } from './lib/mtls.js';
import { startPeerPair, type PeerPair } from './lib/peer-daemons.js';
import { cpuSecondsOf, pinning } from './lib/proc.js';
import { monotonicUs, type Window } from './lib/profile.js';

const ARGV = ['echo', 'hi'];

/**
 * forwarded: B's local API, which forwards to A over mutual TLS; local: A's local API; direct:
 * A's peer port with B's certificate, as B's daemon sends it (forwarded − direct is B's hop,
 * direct − local is what A does for a peer that it does not do for its admin).
 */
type Path = 'forwarded' | 'local' | 'direct';
const PATHS: Path[] = ['forwarded', 'local', 'direct'];

function runners(p: PeerPair, agent: ReturnType<typeof mtlsAgent>): Record<Path, () => Promise<JsonResponse>> {
  const { a, b } = p;
  return {
    forwarded: () => requestJson(b.url, 'POST', `/api/v1/peers/${encodeURIComponent(p.aOnB)}/exec`, b.headers, { argv: ARGV }),
    local: () => requestJson(a.url, 'POST', '/api/v1/exec', a.headers, { argv: ARGV }),
    direct: () => mtlsJson(agent, `https://127.0.0.1:${a.peerPort}`, 'POST', '/peer/v1/exec', { argv: ARGV }),
  };
}

/** Every exec must have run and printed `hi`: an error is never timed. */
function check(path: Path, r: JsonResponse): void {
  const job = r.body as { status?: string; stdout?: string } | undefined;
  if (r.status !== 200 || job?.status !== 'succeeded' || job.stdout !== 'hi\n') throw new Error(`${path} exec: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

interface Samples {
  ms: Record<Path, number[]>;
  /** CPU seconds each daemon used around each path's requests (read from /proc between requests). */
  cpuS: Record<Path, { a: number; b: number }>;
  window: Window;
}

async function measure(p: PeerPair, warmup: number, count: number): Promise<Samples> {
  const agent = mtlsAgent(p.b.identity);
  try {
    const run = runners(p, agent);
    const ms: Samples['ms'] = { forwarded: [], local: [], direct: [] };
    const cpuS: Samples['cpuS'] = { forwarded: { a: 0, b: 0 }, local: { a: 0, b: 0 }, direct: { a: 0, b: 0 } };
    let fromUs = 0;
    // Sequential, and interleaved with the order rotating, so drift and ordering hit all alike.
    for (let i = 0; i < warmup + count; i++) {
      if (i === warmup) fromUs = monotonicUs();
      for (let j = 0; j < PATHS.length; j++) {
        const path = PATHS[(i + j) % PATHS.length]!;
        const cpu0 = { a: cpuSecondsOf(p.a.pid), b: cpuSecondsOf(p.b.pid) };
        const t0 = performance.now();
        const r = await run[path]();
        const elapsed = performance.now() - t0;
        check(path, r);
        if (i < warmup) continue;
        ms[path].push(elapsed);
        cpuS[path].a += cpuSecondsOf(p.a.pid) - cpu0.a;
        cpuS[path].b += cpuSecondsOf(p.b.pid) - cpu0.b;
      }
    }
    return { ms, cpuS, window: { fromUs, toUs: monotonicUs() } };
  } finally {
    agent.destroy();
  }
}

export const peerExec: Bench = {
  name: 'peer-exec',
  summary: '`echo hi` on a paired peer (B forwards to A over mTLS) vs the same through A\'s local API',
  async run(ctx) {
    const warmup = ctx.quick ? 5 : 20;
    const count = ctx.quick ? 50 : 200;
    const pair = await startPeerPair(ctx, 'peer-exec');
    let s: Samples;
    try {
      s = await measure(pair, warmup, count);
    } catch (err) {
      await pair.stop().catch(() => undefined);
      throw err;
    }
    const profiles = await pair.stop(s.window);
    const st = { forwarded: stats(s.ms.forwarded), local: stats(s.ms.local), direct: stats(s.ms.direct) };
    const cpuUs = (path: Path, who: 'a' | 'b') => (s.cpuS[path][who] * 1e6) / count;
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const us = (x: number) => `${Math.round(x)} µs`;
    return {
      name: 'peer-exec',
      title: `exec of \`${ARGV.join(' ')}\` on a paired peer, sequential, ${count} runs per path after ${warmup} warm-up, interleaved`,
      baseline: 'the same exec through A\'s own local API (POST /api/v1/exec), no hop',
      rows: [
        { metric: 'latency p50, forwarded', unit: 'ms', ferry: st.forwarded.p50, baseline: st.local.p50 },
        { metric: 'latency p99, forwarded', unit: 'ms', ferry: st.forwarded.p99, baseline: st.local.p99 },
        { metric: 'latency mean, forwarded', unit: 'ms', ferry: st.forwarded.mean, baseline: st.local.mean },
        { metric: 'latency p50, direct to A\'s peer port', unit: 'ms', ferry: st.direct.p50, baseline: st.local.p50 },
        { metric: 'CPU per exec, forwarded (B + A)', unit: 'µs/req', ferry: cpuUs('forwarded', 'a') + cpuUs('forwarded', 'b'), baseline: cpuUs('local', 'a') },
      ],
      notes: [
        `the hop adds ${ms(st.forwarded.p50 - st.local.p50)} at p50: B's part (forwarded − direct) ${ms(st.forwarded.p50 - st.direct.p50)}, A's peer-side part (direct − local) ${ms(st.direct.p50 - st.local.p50)}`,
        `daemon CPU per exec (its own share; the child's time is not counted): forwarded B ${us(cpuUs('forwarded', 'b'))} + A ${us(cpuUs('forwarded', 'a'))}; direct A ${us(cpuUs('direct', 'a'))}; local A ${us(cpuUs('local', 'a'))}. Read from /proc around each request, in 10 ms clock ticks: summed over ${count} runs these are estimates (±15 % or so)`,
        'B does: Host check, helmet, bearer token, audit, Express routing to the forward route, the peer looked up by name (in memory), the JSON body re-serialised and sent over a keep-alive mutual-TLS connection, the answer piped back. A does, beyond a local exec: TLS, the client certificate (read and hashed once per connection), its pin looked up (in memory), "last seen" bookkeeping, the exec rate limiter (raised out of reach for the bench), the policy (preset "trusted": exec full, the command still analysed by the command rules, programs resolved on PATH)',
        'both daemons run on CPU 1 (as every server in the benches); one keep-alive connection per path from the client, and B keeps its own to A',
        ...(profiles.B && pinning ? ['profiled with both daemons on one CPU: a profile samples wall time, so while A runs, B\'s samples land on whatever B was doing; BENCH_PIN=0 --profile gives the cleaner split'] : []),
      ],
      details: { warmup, count, forwarded: st.forwarded, local: st.local, direct: st.direct, cpuUsPerExec: { forwarded: { a: cpuUs('forwarded', 'a'), b: cpuUs('forwarded', 'b') }, direct: { a: cpuUs('direct', 'a') }, local: { a: cpuUs('local', 'a') } }, samplesMs: s.ms },
      profiles: [profiles.B, profiles.A].flatMap((x) => (x ? [{ ...x, label: `${x.label} (${x.label.endsWith('B') ? 'forwarding only' : 'all three paths: local, direct and forwarded execs'})` }] : [])),
    };
  },
};
