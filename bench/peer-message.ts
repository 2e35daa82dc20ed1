import path from 'node:path';
import { BASELINES, startBaseline, type Baseline } from './lib/baselines.js';
import { stats, type Bench, type RunContext } from './lib/bench.js';
import { watchEvents, type EventWatch } from './lib/events.js';
import { requestJson, type JsonResponse } from './lib/http.js';
import { mtlsAgent, mtlsJson } from './lib/mtls.js';
import { startPeerPair, type PeerPair } from './lib/peer-daemons.js';
import { cpuSecondsOf, pinning, tempDir } from './lib/proc.js';
import { monotonicUs, type Window } from './lib/profile.js';
import type { Row } from './lib/report.js';

/** The bound on one message's delivery (Ferry's own send timeout is 10 s). */
const DELIVERY_TIMEOUT_MS = 15_000;
/** A short chat message, as agents send each other. */
const TEXT = 'build 1234 is green on main: you can deploy';

/**
 * ferry: POST B/api/v1/messages {to: A}, timed to B's `message.status` event saying `delivered`
 * (B's worker sent it to A's peer port over mutual TLS and A confirmed it); chain: the same shape
 * with nothing of Ferry's (the bench → bare node:http forwarder → bare node:https server over
 * mutual TLS, answer piped back); direct: the mTLS round trip alone (the bench → the bare server).
 */
type Path = 'ferry' | 'chain' | 'direct';
const PATHS: Path[] = ['ferry', 'chain', 'direct'];

/** What B's daemon sends A for one message (WireMessage): what the bare paths PUT, so both carry the same bytes. */
function wire(i: number) {
  const now = new Date();
  return { id: `bench-${i}-${now.getTime()}`, type: 'chat', body: `${TEXT} (${i})`, replyTo: null, thread: `bench-${i}`, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString() };
}

interface Timing {
  /** From the request to the event (ferry) or the answer (bare). */
  ms: number;
  /** Ferry only: when B answered the POST (the message is in the outbox), and when A announced it (message.received). */
  acceptedMs?: number;
  receivedMs?: number;
}

interface Samples {
  t: Record<Path, Timing[]>;
  /** CPU seconds of the processes of each path, summed over its timed requests. */
  cpuS: Record<Path, Record<string, number>>;
  window: Window;
  /** Every message Ferry sent, warm-up included. */
  ids: string[];
}

function expectStatus(path: Path, r: JsonResponse, ok: number[]): void {
  if (!ok.includes(r.status)) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

async function measure(p: PeerPair, bare: Baseline, forwarder: Baseline, warmup: number, count: number): Promise<Samples> {
  const agent = mtlsAgent(p.b.identity);
  let onB: EventWatch | undefined;
  let onA: EventWatch | undefined;
  try {
    onB = await watchEvents(p.b.client, ['messages'], (e) => (e.type === 'message.status' && e.data.status === 'delivered' ? `delivered:${e.data.id}` : undefined));
    onA = await watchEvents(p.a.client, ['messages'], (e) => (e.type === 'message.received' ? `received:${e.data.message.id}` : undefined));
    const wB = onB;
    const wA = onA;
    const procs: Record<Path, Record<string, number>> = {
      ferry: { B: p.b.pid, A: p.a.pid },
      chain: { forwarder: forwarder.pid, server: bare.pid },
      direct: { server: bare.pid },
    };
    const ids: string[] = [];
    const run: Record<Path, (i: number) => Promise<Timing>> = {
      async ferry(i) {
        const t0 = performance.now();
        const r = await requestJson(p.b.url, 'POST', '/api/v1/messages', p.b.headers, { to: p.aOnB, type: 'chat', body: `${TEXT} (${i})` });
        const acceptedMs = performance.now() - t0;
        expectStatus('ferry', r, [201]);
        const id = (r.body as { id: string }).id;
        ids.push(id);
        const [delivered, received] = await Promise.all([wB.when(`delivered:${id}`, DELIVERY_TIMEOUT_MS), wA.when(`received:${id}`, DELIVERY_TIMEOUT_MS)]);
        return { ms: delivered - t0, acceptedMs, receivedMs: received - t0 };
      },
      async chain(i) {
        const t0 = performance.now();
        const r = await requestJson(`http://127.0.0.1:${forwarder.port}`, 'PUT', `/peer/v1/context/chain-${i}`, {}, { value: wire(i) });
        const ms = performance.now() - t0;
        expectStatus('chain', r, [201]);
        return { ms };
      },
      async direct(i) {
        const t0 = performance.now();
        const r = await mtlsJson(agent, `https://127.0.0.1:${bare.port}`, 'PUT', `/peer/v1/context/direct-${i}`, { value: wire(i) });
        const ms = performance.now() - t0;
        expectStatus('direct', r, [201]);
        return { ms };
      },
    };
    const t: Samples['t'] = { ferry: [], chain: [], direct: [] };
    const cpuS: Samples['cpuS'] = { ferry: {}, chain: {}, direct: {} };
    let fromUs = 0;
    // Sequential, interleaved with the order rotating, so drift and ordering hit all alike.
    for (let i = 0; i < warmup + count; i++) {
      if (i === warmup) fromUs = monotonicUs();
      for (let j = 0; j < PATHS.length; j++) {
        const path = PATHS[(i + j) % PATHS.length]!;
        const cpu0 = Object.fromEntries(Object.entries(procs[path]).map(([k, pid]) => [k, cpuSecondsOf(pid)]));
        const timing = await run[path](i);
        if (i < warmup) continue;
        t[path].push(timing);
        for (const [k, pid] of Object.entries(procs[path])) cpuS[path][k] = (cpuS[path][k] ?? 0) + cpuSecondsOf(pid) - cpu0[k]!;
      }
    }
    return { t, cpuS, window: { fromUs, toUs: monotonicUs() }, ids };
  } finally {
    onB?.stop();
    onA?.stop();
    agent.destroy();
  }
}

/** Every message must be in A's inbox exactly once, from B, and B's outbox must say delivered (the lists hold up to 500). */
async function checkDelivered(p: PeerPair, ids: string[]): Promise<void> {
  const sent = new Set(ids);
  const outbox = (await p.b.client.outbox(500)).items;
  const notDelivered = outbox.filter((m) => m.recipients.some((r) => r.status !== 'delivered'));
  if (outbox.length !== sent.size || outbox.some((m) => !sent.has(m.id))) throw new Error(`B's outbox holds ${outbox.length} message(s), not the ${sent.size} sent`);
  if (notDelivered.length) throw new Error(`B's outbox: ${notDelivered.length} message(s) not delivered: ${JSON.stringify(notDelivered[0]).slice(0, 300)}`);
  const inbox = (await p.a.client.inbox({ limit: 500 })).items;
  const fromB = inbox.filter((m) => m.from.nodeId === p.b.nodeId && sent.has(m.id));
  if (inbox.length !== sent.size || fromB.length !== sent.size) throw new Error(`A's inbox holds ${inbox.length} message(s), ${fromB.length} of them sent by B in this run, expected ${sent.size}, each once`);
}

async function runAll(ctx: RunContext, warmup: number, count: number) {
  const pair = await startPeerPair(ctx, 'peer-message');
  let s: Samples;
  try {
    const dir = tempDir('ferry-bench-bare-message-');
    const bare = await startBaseline(ctx, 'peer-message-bare', [path.join(BASELINES, 'bare-mtls-context-server.mjs'), path.join(dir, 'context.db'), pair.a.identityFiles.key, pair.a.identityFiles.cert], dir);
    try {
      const forwarder = await startBaseline(ctx, 'peer-message-forwarder', [path.join(BASELINES, 'bare-forwarder.mjs'), String(bare.port), pair.b.identityFiles.key, pair.b.identityFiles.cert]);
      try {
        s = await measure(pair, bare, forwarder, warmup, count);
      } finally {
        await forwarder.stop();
      }
    } finally {
      await bare.stop();
    }
    await checkDelivered(pair, s.ids);
  } catch (err) {
    await pair.stop().catch(() => undefined);
    throw err;
  }
  const profiles = await pair.stop(s.window);
  return { s, profiles };
}

export const peerMessage: Bench = {
  name: 'peer-message',
  summary: 'a message B → A, send to `delivered` event, vs a bare mutual-TLS request round trip',
  async run(ctx) {
    // Sequential, a few ms each: the count bounds the run (≈ 10 s on this machine); at most 500
    // messages in all, what one outbox or inbox page holds, for the check.
    const warmup = ctx.quick ? 5 : 50;
    const count = ctx.quick ? 50 : 400;
    const { s, profiles } = await runAll(ctx, warmup, count);
    const ms = (path: Path, f: (t: Timing) => number | undefined = (t) => t.ms) => s.t[path].map(f).filter((x): x is number => x !== undefined);
    const st = { ferry: stats(ms('ferry')), chain: stats(ms('chain')), direct: stats(ms('direct')), received: stats(ms('ferry', (t) => t.receivedMs)), accepted: stats(ms('ferry', (t) => t.acceptedMs)) };
    const cpuUs = (path: Path) => (Object.values(s.cpuS[path]).reduce((a, b) => a + b, 0) * 1e6) / count;
    const by = (path: Path) =>
      Object.entries(s.cpuS[path])
        .map(([k, v]) => `${k} ${Math.round((v * 1e6) / count)} µs`)
        .join(' + ');
    const f2 = (x: number) => `${x.toFixed(2)} ms`;
    const rows: Row[] = [
      { metric: 'send → delivered p50 vs bare mTLS round trip', unit: 'ms', ferry: st.ferry.p50, baseline: st.direct.p50 },
      { metric: 'send → delivered p99 vs bare mTLS round trip', unit: 'ms', ferry: st.ferry.p99, baseline: st.direct.p99 },
      { metric: 'send → delivered p50 vs bare chain (same hops)', unit: 'ms', ferry: st.ferry.p50, baseline: st.chain.p50 },
      { metric: 'send → delivered p99 vs bare chain', unit: 'ms', ferry: st.ferry.p99, baseline: st.chain.p99 },
      { metric: 'send → received on A (ref.) p50 vs bare chain', unit: 'ms', ferry: st.received.p50, baseline: st.chain.p50 },
      { metric: 'CPU per message (B + A) vs bare chain', unit: 'µs/req', ferry: cpuUs('ferry'), baseline: cpuUs('chain') },
    ];
    return {
      name: 'peer-message',
      title: `a chat message from B to A (paired daemons, mutual TLS), sequential, ${count} per path after ${warmup} warm-up, interleaved`,
      baseline: 'bare mTLS round trip: a PUT of the same wire message from the bench to a bare node:https server (A\'s key/cert, TLS 1.3, client certificate required) that stores it in SQLite and answers; bare chain: the same through a bare node:http → node:https forwarder with B\'s certificate',
      rows,
      notes: [
        `ferry: POST B/api/v1/messages {to: A, type: chat, body: "<${TEXT.length + 6} characters>"}, timed from the request to B's message.status event "delivered" on its SSE stream (subscribed before anything is timed); B answers 201 after the outbox transaction (p50 ${f2(st.accepted.p50)}), its worker then POSTs the message to A's peer port (keep-alive mutual TLS), A stores it (inbox insert, message.received event) and answers, and B marks the recipient delivered and publishes the event. A announced it (message.received on A's stream) at p50 ${f2(st.received.p50)}, p99 ${f2(st.received.p99)}`,
        `latency, ms: ferry delivered p50 ${f2(st.ferry.p50)}, p99 ${f2(st.ferry.p99)}, mean ${f2(st.ferry.mean)}, min ${f2(st.ferry.min)}, max ${f2(st.ferry.max)}; bare chain p50 ${f2(st.chain.p50)}, p99 ${f2(st.chain.p99)}, max ${f2(st.chain.max)}; bare mTLS round trip p50 ${f2(st.direct.p50)}, p99 ${f2(st.direct.p99)}, max ${f2(st.direct.max)}`,
        `CPU per message (read from /proc around each one, in 10 ms ticks: estimates): ferry ${by('ferry')}; chain ${by('chain')}; direct ${by('direct')}`,
        'the bare paths PUT the wire message Ferry sends (the same JSON) to baselines/bare-mtls-context-server.mjs, which parses it and writes it in one SQLite transaction (the daemon\'s pragmas) before answering, as A stores a received message; the chain adds baselines/bare-forwarder.mjs (node:http in, node:https out on a keep-alive agent with B\'s certificate) in front: the bench → a local process → mutual TLS to another, the shape of the ferry path, with nothing of Ferry\'s',
        'after the runs, every message was checked: B\'s outbox says delivered for each, A\'s inbox holds each exactly once, from B',
        `${pinning ? 'both daemons and both bare processes on CPU 1, the bench on CPU 0 (as in every peer bench): a two-process path pays both processes\' work on one core' : 'no CPU pinning (BENCH_PIN=0)'}; the p99 of ${count} samples is the ${Math.ceil(count * 0.99)}th and follows whatever else the machine was doing`,
      ],
      details: { warmup, count, ferry: st.ferry, accepted: st.accepted, receivedOnA: st.received, chain: st.chain, direct: st.direct, cpuSecondsTotal: s.cpuS, samplesMs: s.t },
      profiles: [profiles.B, profiles.A].flatMap((x) => (x ? [x] : [])),
    };
  },
};
