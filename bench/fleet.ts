import fs from 'node:fs';
import path from 'node:path';
import { BASELINES, startBaseline, type Baseline } from './lib/baselines.js';
import { stats, type Bench, type RunContext } from './lib/bench.js';
import { startFleet, type Fleet } from './lib/fleet.js';
import { requestJson } from './lib/http.js';
import { mtlsAgent, mtlsJson } from './lib/mtls.js';
import { cpuSecondsOf, pinning, tempDir } from './lib/proc.js';
import { monotonicUs, type Window } from './lib/profile.js';
import type { Row } from './lib/report.js';

const SESSIONS = 10;
const KEY = 'bench.fleet';
const ENC = encodeURIComponent(KEY);
// An entry an agent leaves for every other: the context bench's note, numbered.
const value = (n: number) => ({ title: 'build status', body: 'all green on main; deploy window opens at 14:00'.repeat(2), n, tags: ['ci', 'deploy'] });

/**
 * ferry: POST hub/api/v1/context/broadcast {key, value}: the hub PUTs the key on each of its 10
 * peers over mutual TLS at once and answers with a result per peer once every one has answered;
 * chain: the same shape with nothing of Ferry's (the bench → a bare node:http fan-out → 10 bare
 * node:https servers); direct: the 10 parallel mTLS PUTs alone, from the bench.
 */
type Path = 'ferry' | 'chain' | 'direct';
const PATHS: Path[] = ['ferry', 'chain', 'direct'];

interface Bare {
  servers: Baseline[];
  fanout: Baseline;
  stop(): Promise<void>;
}

/** 10 bare mutual-TLS context servers (each with a member's own key/cert) and the fan-out in front (with the hub's). */
async function startBare(ctx: RunContext, fleet: Fleet): Promise<Bare> {
  const servers: Baseline[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (const [i, m] of fleet.members.entries()) {
      const dir = tempDir('ferry-bench-fleet-bare-');
      servers.push(await startBaseline(ctx, `fleet-bare-${i}`, [path.join(BASELINES, 'bare-mtls-context-server.mjs'), path.join(dir, 'context.db'), m.identityFiles.key, m.identityFiles.cert], dir));
    }
    const fanout = await startBaseline(ctx, 'fleet-fanout', [path.join(BASELINES, 'bare-fanout.mjs'), fleet.hub.identityFiles.key, fleet.hub.identityFiles.cert, ...servers.map((s) => String(s.port))]);
    return { servers, fanout, stop: async () => (await fanout.stop(), await stop()) };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Samples {
  ms: Record<Path, number[]>;
  /** CPU seconds of each path's processes, summed over its timed broadcasts. */
  cpuS: Record<Path, number>;
  ferryCount: number;
  window: Window;
}

async function measure(fleet: Fleet, bare: Bare, warmup: number, count: number): Promise<Samples> {
  // One keep-alive connection per origin: one to each bare server, as the fan-out and the hub keep theirs.
  const direct = mtlsAgent({ key: fs.readFileSync(fleet.hub.identityFiles.key, 'utf8'), cert: fleet.hub.cert });
  let ferryCount = 0;
  const run: Record<Path, (n: number) => Promise<void>> = {
    async ferry(n) {
      const r = await requestJson(fleet.hub.url, 'POST', '/api/v1/context/broadcast', fleet.hub.headers, { key: KEY, value: value(n) });
      ferryCount++;
      const results = (r.body as { results?: { peer: string; status: string; version: number | null }[] } | undefined)?.results ?? [];
      const bad = results.filter((x) => x.status !== 'ok' || x.version !== ferryCount);
      if (r.status !== 200 || results.length !== SESSIONS || bad.length) throw new Error(`ferry broadcast ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
    },
    async chain(n) {
      const r = await requestJson(`http://127.0.0.1:${bare.fanout.port}`, 'POST', `/broadcast/${ENC}`, {}, { value: value(n) });
      const results = (r.body as { results?: { status: number }[] } | undefined)?.results ?? [];
      if (r.status !== 200 || results.length !== SESSIONS || results.some((x) => x.status !== 200 && x.status !== 201)) throw new Error(`bare fan-out ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
    },
    async direct(n) {
      const rs = await Promise.all(bare.servers.map((s) => mtlsJson(direct, `https://127.0.0.1:${s.port}`, 'PUT', `/peer/v1/context/${ENC}`, { value: value(n) })));
      const bad = rs.find((r) => r.status !== 200 && r.status !== 201);
      if (bad) throw new Error(`bare PUT ${n}: ${bad.status} ${JSON.stringify(bad.body).slice(0, 300)}`);
    },
  };
  const pids: Record<Path, number[]> = {
    ferry: [fleet.hub.pid, ...fleet.members.map((m) => m.pid)],
    chain: [bare.fanout.pid, ...bare.servers.map((s) => s.pid)],
    direct: bare.servers.map((s) => s.pid),
  };
  const cpuOf = (path: Path) => pids[path].reduce((a, pid) => a + cpuSecondsOf(pid), 0);
  const ms: Samples['ms'] = { ferry: [], chain: [], direct: [] };
  const cpuS: Samples['cpuS'] = { ferry: 0, chain: 0, direct: 0 };
  let fromUs = 0;
  try {
    // Sequential, interleaved with the order rotating, so drift and ordering hit all alike.
    for (let i = 0; i < warmup + count; i++) {
      if (i === warmup) fromUs = monotonicUs();
      for (let j = 0; j < PATHS.length; j++) {
        const path = PATHS[(i + j) % PATHS.length]!;
        const cpu0 = cpuOf(path);
        const t0 = performance.now();
        await run[path](i);
        const elapsed = performance.now() - t0;
        if (i < warmup) continue;
        ms[path].push(elapsed);
        cpuS[path] += cpuOf(path) - cpu0;
      }
    }
  } finally {
    direct.destroy();
  }
  return { ms, cpuS, ferryCount, window: { fromUs, toUs: monotonicUs() } };
}

/** Every member must hold the last value broadcast, at the version the broadcasts add up to. */
async function checkMembers(fleet: Fleet, s: Samples, last: number): Promise<void> {
  for (const m of fleet.members) {
    const e = await m.client.contextGet(KEY);
    if (e.version !== s.ferryCount || (e.value as { n?: number }).n !== last) throw new Error(`${m.name} holds ${JSON.stringify(e).slice(0, 300)}, expected version ${s.ferryCount} with n = ${last}`);
  }
}

export const fleet: Bench = {
  name: 'fleet',
  summary: `a context broadcast from a hub to a fleet of ${SESSIONS} daemons on this machine vs ${SESSIONS} parallel bare mTLS PUTs`,
  async run(ctx) {
    const warmup = ctx.quick ? 3 : 20;
    const count = ctx.quick ? 20 : 200;
    const t0 = performance.now();
    const f = await startFleet(ctx, SESSIONS);
    const startS = (performance.now() - t0) / 1000;
    let s: Samples;
    let rss: number[];
    try {
      const bare = await startBare(ctx, f);
      try {
        s = await measure(f, bare, warmup, count);
      } finally {
        await bare.stop();
      }
      await checkMembers(f, s, warmup + count - 1);
      rss = f.rssMb();
    } catch (err) {
      await f.stop().catch(() => undefined);
      throw err;
    }
    const profile = await f.stop(s.window);
    const st = { ferry: stats(s.ms.ferry), chain: stats(s.ms.chain), direct: stats(s.ms.direct) };
    const cpuUs = (path: Path) => (s.cpuS[path] * 1e6) / count;
    const f2 = (x: number) => `${x.toFixed(2)} ms`;
    const rows: Row[] = [
      { metric: `broadcast to all ${SESSIONS}, p50, vs bare fan-out (same hops)`, unit: 'ms', ferry: st.ferry.p50, baseline: st.chain.p50 },
      { metric: `broadcast to all ${SESSIONS}, p99, vs bare fan-out`, unit: 'ms', ferry: st.ferry.p99, baseline: st.chain.p99 },
      { metric: `broadcast p50 vs ${SESSIONS} parallel bare mTLS PUTs`, unit: 'ms', ferry: st.ferry.p50, baseline: st.direct.p50 },
      { metric: `broadcast p99 vs ${SESSIONS} parallel bare mTLS PUTs`, unit: 'ms', ferry: st.ferry.p99, baseline: st.direct.p99 },
      { metric: 'CPU per broadcast, all processes, vs bare fan-out', unit: 'µs/req', ferry: cpuUs('ferry'), baseline: cpuUs('chain') },
    ];
    return {
      name: 'fleet',
      title: `a context set broadcast from a hub to ${SESSIONS} daemons on this machine (trusted through their local APIs, mutual TLS), sequential, ${count} per path after ${warmup} warm-up, interleaved`,
      baseline: `bare fan-out: the bench → a bare node:http process that sends ${SESSIONS} PUTs at once over mutual TLS (the hub's certificate) to ${SESSIONS} bare node:https context servers (each with a member's key/cert, SQLite upsert) and answers when all have; ${SESSIONS} parallel bare mTLS PUTs: the same PUTs straight from the bench`,
      rows,
      notes: [
        `ferry: POST hub/api/v1/context/broadcast {key, value} (a ~190-byte JSON note), timed to its answer, which comes once every peer answered its PUT (each peer commits the entry before it answers): the time until all ${SESSIONS} have it. Every answer was checked (${SESSIONS} results, all ok, at the expected version) and, after the runs, every member's entry read back`,
        `latency: ferry p50 ${f2(st.ferry.p50)}, p99 ${f2(st.ferry.p99)}, mean ${f2(st.ferry.mean)}, max ${f2(st.ferry.max)}; bare fan-out p50 ${f2(st.chain.p50)}, p99 ${f2(st.chain.p99)}, max ${f2(st.chain.max)}; ${SESSIONS} bare PUTs p50 ${f2(st.direct.p50)}, p99 ${f2(st.direct.p99)}, max ${f2(st.direct.max)}`,
        `CPU per broadcast, all processes (read from /proc around each one, in 10 ms ticks: estimates): ferry ${Math.round(cpuUs('ferry'))} µs (hub + ${SESSIONS} members), bare fan-out ${Math.round(cpuUs('chain'))} µs, ${SESSIONS} bare PUTs ${Math.round(cpuUs('direct'))} µs (servers only; the bench's client side is not counted)`,
        `per broadcast the hub does a local-API request (Host check, helmet, token, audit, zod) and ${SESSIONS} peer requests on its keep-alive mutual-TLS agents; each member does what A does for a peer's context PUT (TLS, pin lookup, policy, rate limiter, zod, the upsert with its event, audit)`,
        `${pinning ? `every daemon and every bare process on CPU 1, the bench on CPU 0 (as in every peer bench): the ${SESSIONS} "parallel" PUTs share one core, so a broadcast costs about the sum of the ${SESSIONS + 1} processes' work, on both sides` : 'no CPU pinning (BENCH_PIN=0)'}`,
        `fleet: ${SESSIONS + 1} daemons started and trusted both ways in ${startS.toFixed(1)} s; resident memory after the runs: ${rss.map((x) => x.toFixed(0)).join(', ')} MB (hub first), ${rss.reduce((a, b) => a + b, 0).toFixed(0)} MB in all (shared pages of the node binary counted in each)`,
      ],
      details: { sessions: SESSIONS, warmup, count, ferry: st.ferry, chain: st.chain, direct: st.direct, cpuUsPerBroadcast: { ferry: cpuUs('ferry'), chain: cpuUs('chain'), direct: cpuUs('direct') }, startSeconds: startS, rssMb: rss, samplesMs: s.ms },
      profiles: profile ? [profile] : [],
    };
  },
};
