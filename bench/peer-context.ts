import assert from 'node:assert/strict';
import path from 'node:path';
import { BASELINES, startBaseline, type Baseline } from './lib/baselines.js';
import { mean, type Bench, type RunContext } from './lib/bench.js';
import { expectJson, requestJson, type JsonResponse } from './lib/http.js';
import { mtlsAgent, mtlsJson } from './lib/mtls.js';
import { startPeerPair, type PeerPair } from './lib/peer-daemons.js';
import { loadChain, type ChainLoadResult, type ChainTarget } from './lib/peer-load.js';
import { summarizeSpans } from './lib/peer-profile.js';
import { pinning, tempDir } from './lib/proc.js';
import { compareProfiles, monotonicUs, newestProfile, type ProfileColumn, type ProfileSummary, type Window } from './lib/profile.js';
import type { Row } from './lib/report.js';

const KEY = 'bench.context';
const ENC = encodeURIComponent(KEY);
// The entry of the context bench: a note an agent leaves for another.
const VALUE = { title: 'build status', body: 'all green on main; deploy window opens at 14:00'.repeat(2), n: 42, tags: ['ci', 'deploy'] };
const CONNECTIONS = 10;

/**
 * bare: node:https floor with A's key and certificate; chain: the floor behind a bare node
 * forwarder with B's certificate (the same two hops with nothing of Ferry's); direct: A's peer
 * port, as B's daemon calls it; local: A's local API; forwarded: B's local API, which forwards to
 * A over mutual TLS.
 */
type Label = 'bare' | 'chain' | 'direct' | 'local' | 'forwarded';
const LABELS: Label[] = ['bare', 'chain', 'direct', 'local', 'forwarded'];
/** Interleaved so that drift and ordering hit every side alike; the forwarded runs are adjacent, so one profile window holds both. */
const ORDER: Label[] = [...LABELS, ...[...LABELS].reverse()];
type Target = ChainTarget & { path: string };

/** The floor (with A's own key.pem/cert.pem), and the bare forwarder in front of it (with B's). */
async function startBaselines(ctx: RunContext, p: PeerPair): Promise<{ bare: Baseline; forwarder: Baseline }> {
  const dir = tempDir('ferry-bench-bare-mtls-');
  const bare = await startBaseline(ctx, 'peer-context-bare', [path.join(BASELINES, 'bare-mtls-context-server.mjs'), path.join(dir, 'context.db'), p.a.identityFiles.key, p.a.identityFiles.cert], dir);
  const forwarder = await startBaseline(ctx, 'peer-context-forwarder', [path.join(BASELINES, 'bare-forwarder.mjs'), String(bare.port), p.b.identityFiles.key, p.b.identityFiles.cert]).catch(async (err: unknown) => {
    await bare.stop();
    throw err;
  });
  return { bare, forwarder };
}

function targets(p: PeerPair, { bare, forwarder }: { bare: Baseline; forwarder: Baseline }): Record<Label, Target> {
  const { a, b } = p;
  const peerPath = `/peer/v1/context/${ENC}`;
  return {
    bare: { label: 'bare', url: `https://127.0.0.1:${bare.port}`, path: peerPath, headers: {}, tls: b.identity, servers: [{ label: 'bare', pid: bare.pid }] },
    chain: {
      label: 'chain',
      url: `http://127.0.0.1:${forwarder.port}`,
      path: peerPath,
      headers: {},
      servers: [
        { label: 'forwarder', pid: forwarder.pid },
        { label: 'bare', pid: bare.pid },
      ],
    },
    direct: { label: 'direct', url: `https://127.0.0.1:${a.peerPort}`, path: peerPath, headers: {}, tls: b.identity, servers: [{ label: 'A', pid: a.pid }] },
    local: { label: 'local', url: a.url, path: `/api/v1/context/${ENC}`, headers: a.headers, servers: [{ label: 'A', pid: a.pid }] },
    forwarded: {
      label: 'forwarded',
      url: b.url,
      path: `/api/v1/peers/${encodeURIComponent(p.aOnB)}/context/${ENC}`,
      headers: b.headers,
      servers: [
        { label: 'B', pid: b.pid },
        { label: 'A', pid: a.pid },
      ],
    },
  };
}

/** Write the entry on A and on the floor, then read it along every path: the same entry, or no timing. */
async function seedAndCheck(t: Record<Label, Target>, p: PeerPair): Promise<void> {
  const agent = mtlsAgent(p.b.identity);
  try {
    await expectJson([200, 201], p.a.url, 'PUT', t.local.path, p.a.headers, { value: VALUE });
    const put = await mtlsJson(agent, t.bare.url, 'PUT', t.bare.path, { value: VALUE });
    assert.ok(put.status === 201 || put.status === 200, `bare PUT: ${put.status}`);
    const strip = (e: unknown) => ({ ...(e as Record<string, unknown>), createdAt: '', updatedAt: '' });
    const got: Record<Label, JsonResponse> = {
      bare: await mtlsJson(agent, t.bare.url, 'GET', t.bare.path),
      chain: await requestJson(t.chain.url, 'GET', t.chain.path, {}),
      direct: await mtlsJson(agent, t.direct.url, 'GET', t.direct.path),
      local: await requestJson(t.local.url, 'GET', t.local.path, t.local.headers),
      forwarded: await requestJson(t.forwarded.url, 'GET', t.forwarded.path, t.forwarded.headers),
    };
    for (const [label, r] of Object.entries(got)) {
      assert.equal(r.status, 200, `${label}: GET answered ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.deepEqual(strip(r.body), strip({ key: KEY, value: VALUE, version: 1, expiresAt: null, updatedBy: 'local' }), `${label}: GET returned another entry`);
    }
  } finally {
    agent.destroy();
  }
}

interface Measured {
  runs: Record<Label, ChainLoadResult[]>;
  spans: Record<Label, Window[]>;
}

async function measure(ctx: RunContext, t: Record<Label, Target>): Promise<Measured> {
  const spec = (durationS: number, target: Target) => ({ connections: CONNECTIONS, durationS, requests: [{ method: 'GET', path: target.path }] });
  for (const label of LABELS) await loadChain(t[label], spec(ctx.quick ? 0.5 : 1, t[label]));
  const runs = Object.fromEntries(LABELS.map((l) => [l, [] as ChainLoadResult[]])) as Record<Label, ChainLoadResult[]>;
  const spans = Object.fromEntries(LABELS.map((l) => [l, [] as Window[]])) as Record<Label, Window[]>;
  for (const label of ORDER) {
    const fromUs = monotonicUs();
    runs[label].push(await loadChain(t[label], spec(ctx.quick ? 1 : 5, t[label])));
    spans[label].push({ fromUs, toUs: monotonicUs() });
  }
  return { runs, spans };
}

/**
 * µs of CPU per request by owner: the floor, the bare forwarder, A on each path, B forwarding.
 * With --profile; each column counts only the spans of its own runs.
 */
function breakdown(m: Measured, files: Record<'bare' | 'forwarder' | 'A' | 'B', string | undefined>) {
  const { bare, forwarder, A, B } = files;
  if (!bare || !forwarder || !A || !B) return undefined;
  const requests = (l: Label) => m.runs[l].reduce((n, r) => n + r.requests, 0);
  const col = (label: string, file: string, l: Label): ProfileColumn => ({ label, summary: summarizeSpans(file, label, m.spans[l]), requests: requests(l) });
  const cols = [col('bare', bare, 'bare'), col('bare fwd', forwarder, 'chain'), col('A direct', A, 'direct'), col('A local', A, 'local'), col('A fwd', A, 'forwarded'), col('B fwd', B, 'forwarded')];
  const title = 'GET: where the CPU goes, per request (profiled, so every figure is inflated a little); A fwd + B fwd = one forwarded GET';
  const c = compareProfiles(title, cols);
  const printed: ProfileSummary[] = cols.slice(4).map((x) => ({ ...x.summary, label: `peer-context ${x.label}, forwarded runs`, byPackage: x.summary.byPackage.slice(0, 12) }));
  return { text: c.text, rows: c.rows, printed };
}

const avg = (runs: ChainLoadResult[], f: (r: ChainLoadResult) => number) => mean(runs.map(f));
const pct = (x: number) => `${Math.round(x * 100)}%`;
const us = (x: number) => `${Math.round(x)} µs`;

function saturation(m: Measured): string[] {
  const notes: string[] = [];
  for (const [label, runs] of Object.entries(m.runs)) {
    const server = avg(runs, (r) => r.serverCpu);
    const client = avg(runs, (r) => r.clientCpu);
    if (server >= 0.85) continue;
    const why = client >= 0.85 ? 'the load generator was saturated, so this throughput is a lower bound' : 'neither side had a full core: other processes or the round trips set the pace';
    notes.push(`${label}: the server side used ${pct(server)} of its core, the load generator ${pct(client)}: ${why} (CPU per request is the steadier figure)`);
  }
  return notes;
}

/** Start everything, check the answers, run the interleaved loads, stop everything (bounded, even on failure). */
async function runAll(ctx: RunContext) {
  const pair = await startPeerPair(ctx, 'peer-context');
  let m: Measured;
  let baselineDirs: { bare: string | undefined; forwarder: string | undefined };
  try {
    const { bare, forwarder } = await startBaselines(ctx, pair);
    baselineDirs = { bare: bare.profileDir, forwarder: forwarder.profileDir };
    try {
      const t = targets(pair, { bare, forwarder });
      await seedAndCheck(t, pair);
      m = await measure(ctx, t);
    } finally {
      await Promise.all([forwarder.stop(), bare.stop()]);
    }
  } catch (err) {
    await pair.stop().catch(() => undefined);
    throw err;
  }
  const profiles = await pair.stop({ fromUs: m.spans.forwarded[0]!.fromUs, toUs: m.spans.forwarded.at(-1)!.toUs });
  const newest = (dir: string | undefined) => (dir ? newestProfile(dir) : undefined);
  return { m, br: breakdown(m, { bare: newest(baselineDirs.bare), forwarder: newest(baselineDirs.forwarder), A: profiles.A?.file, B: profiles.B?.file }) };
}

export const peerContext: Bench = {
  name: 'peer-context',
  summary: 'context GET on a paired peer (B forwards to A over mTLS) vs a bare node:https mTLS server',
  async run(ctx) {
    const { m, br } = await runAll(ctx);
    const { bare, chain, direct, local, forwarded } = m.runs;
    const rps = (r: ChainLoadResult[]) => avg(r, (x) => x.rps);
    const cpu = (r: ChainLoadResult[]) => avg(r, (x) => x.serverCpuUsPerRequest);
    const by = (r: ChainLoadResult[], who: string) => avg(r, (x) => x.cpuUsPerRequestBy[who] ?? 0);
    const rows: Row[] = [
      { metric: 'GET forwarded, throughput', unit: 'req/s', ferry: rps(forwarded), baseline: rps(bare) },
      { metric: 'GET forwarded, CPU/request (B + A)', unit: 'µs/req', ferry: cpu(forwarded), baseline: cpu(bare) },
      { metric: 'GET forwarded vs bare chain, throughput', unit: 'req/s', ferry: rps(forwarded), baseline: rps(chain) },
      { metric: 'GET forwarded vs bare chain, CPU/request', unit: 'µs/req', ferry: cpu(forwarded), baseline: cpu(chain) },
      { metric: 'hop only: B vs bare forwarder, CPU/request', unit: 'µs/req', ferry: by(forwarded, 'B'), baseline: by(chain, 'forwarder') },
      { metric: 'GET direct to A\'s peer port, throughput', unit: 'req/s', ferry: rps(direct), baseline: rps(bare) },
      { metric: 'GET direct to A\'s peer port, CPU/request', unit: 'µs/req', ferry: cpu(direct), baseline: cpu(bare) },
      { metric: 'GET forwarded vs local on A (ref.), throughput', unit: 'req/s', ferry: rps(forwarded), baseline: rps(local) },
      { metric: 'GET forwarded vs local on A (ref.), CPU/request', unit: 'µs/req', ferry: cpu(forwarded), baseline: cpu(local) },
    ];
    const notes = [
      `forwarded GET, CPU per request: B ${us(by(forwarded, 'B'))} + A ${us(by(forwarded, 'A'))}; bare chain: forwarder ${us(by(chain, 'forwarder'))} + server ${us(by(chain, 'bare'))}; A alone: local API ${us(cpu(local))}, peer port ${us(cpu(direct))}`,
      'bare: node:https, TLS 1.3, requestCert (a connection without a client certificate is closed), A\'s own key.pem/cert.pem, the same SQL and JSON (context-sql.mjs), nothing else; bare chain: the same behind bare-forwarder.mjs (node:http in, node:https out on a keep-alive agent with B\'s key.pem/cert.pem, answer piped back), i.e. the forwarded path\'s two hops with nothing of Ferry\'s. Direct, bare and the chain take the same request (GET /peer/v1/context/<key>); TLS clients present B\'s certificate',
      'per request, B (local API) does: Host check, helmet, bearer token SHA-256 + compare, audit record, Express routing to the forward route, the peer looked up by name (as `ferry … <name>` does; peers are cached in memory), an HTTPS request to A on a keep-alive mutual-TLS agent (TLS 1.3, B\'s certificate), the answer piped back; A (peer port) does: TLS, the client certificate (read and hashed once per connection), its pin looked up (in memory), "last seen" bookkeeping, audit, the context rate limiter (raised out of reach for the bench: it counts but never refuses), policy (context.read), zod on the key, the context read and JSON',
      'both daemons, like both bare processes of the chain, are on CPU 1 (as every server in the benches): a two-process path runs at about one core / (sum of CPU per request), and on loopback the sender also pays the kernel\'s receive work; on two machines each daemon has its own core and the link\'s latency adds to each request',
      `${CONNECTIONS} keep-alive connections (client → B and → the bare forwarder plain HTTP; → bare and direct TLS; each forwarder → its upstream up to ${CONNECTIONS} pooled mutual-TLS connections), ${ctx.quick ? 1 : 5} s per run, 2 runs per path, order ${ORDER.join(', ')}, after a warm-up each; every path was checked to answer the same entry first`,
      ...saturation(m),
      'latency is left out of the table (closed loop: throughput in disguise); the JSON has it',
    ];
    if (br && pinning) notes.push('profiled with both daemons on one CPU: a profile samples wall time, so while A runs, B\'s samples land on whatever B was doing (and the other way round): the B and A forwarded columns are inflated up to 2×. BENCH_PIN=0 --profile gives a breakdown close to the /proc figures; quote the /proc figures of an unprofiled run');
    return {
      name: 'peer-context',
      title: 'context GET on a paired peer over keep-alive connections (autocannon): client → B (local API) → A over mutual TLS',
      baseline: 'bare node:https mutual-TLS server with A\'s key/cert + the same SQL (rows "vs bare chain": the same behind a bare node forwarder; "ref.": A\'s local API, no hop)',
      rows,
      notes,
      details: { connections: CONNECTIONS, order: ORDER, runs: m.runs, ...(br ? { breakdown: br.rows } : {}) },
      profiles: br?.printed ?? [],
      text: br ? [br.text] : [],
    };
  },
};
