import fs from 'node:fs';
import path from 'node:path';
import type { RunContext } from './bench.js';
import { threadCpuOf, threadCpuSince } from './cpu.js';
import { startPeerPair, type PeerPair } from './peer-daemons.js';
import { CLIENT_CPU, memoryOf, pin, sleep, tempDir } from './proc.js';
import { newestProfile, summarizeProfile, monotonicUs, type ProfileSummary, type Window } from './profile.js';
import { summarizeSpans } from './peer-profile.js';
import { checkAndRemove, type SourceFile } from './transfer-data.js';
import { apiPut, checkBareAnswer, checkTransfer, cpCopy, curlPut, nodePut, sample, startUploadServer, timedTransfer, watchHealth, type Sample } from './transfer-runs.js';

/**
 * ferry: `ferry send` — B pushes to A (POST B/api/v1/transfers {peer: A}), over mutual TLS, the
 * only way two daemons talk; bare: `curl -T` to a bare node:http upload server; mtls: a bare
 * node:https client with B's certificate to the same server over node:https with A's; cp: `cp` +
 * fsync. References: api: `curl -T` into A's own upload API (plain HTTP, its local listener);
 * local: A pushes a file to itself (no peer, no network: the daemon's file machinery alone).
 */
export type Side = 'ferry' | 'bare' | 'mtls' | 'api' | 'local' | 'cp';
export const SIDES: Side[] = ['bare', 'ferry', 'mtls', 'api', 'local', 'cp'];
/** Interleaved, so that drift and ordering hit every side alike. */
export const ORDER: Side[] = [...SIDES, ...[...SIDES].reverse()];
/** After each run: the deleted copy's blocks are discarded (the filesystem may be mounted with discard) before the next run writes. */
const SETTLE_MS = 500;

/** The processes that send (on the load generator's CPU, 0); every other one receives (CPU 1). */
export const SENDERS = ['B', 'curl', 'client'];
export const onSenderCpu = (processKey: string) => SENDERS.some((s) => processKey === s || processKey.startsWith(`${s} `));

export interface Memory {
  rssMb: number;
  hwmMb: number;
}

export interface SidesResult {
  runs: Record<Side, Sample[]>;
  /** Each daemon once paired, before the timed runs (after the warm-up) and after them; the bare servers after them; the bare client's peak. */
  memory: { aStart: Memory; aBefore: Memory; aAfter: Memory; bStart: Memory; bBefore: Memory; bAfter: Memory; bareHttp: Memory; bareTls: Memory; bareClientMaxMb: number };
  profiles?: ProfileSummary[];
}

/**
 * Trusted peers may read and write under `~` only: A lets B write into the bench's directory
 * (read too: the transfer first asks whether the destination exists), as an admin would.
 */
async function allowDir(p: PeerPair, dir: string): Promise<void> {
  const onA = (await p.a.client.peers()).items.find((x) => x.nodeId === p.b.nodeId);
  if (!onA?.policy) throw new Error('A does not list B (with a policy) among its peers');
  await p.a.client.updatePeer(onA.name, { policy: { ...onA.policy, files: { mode: 'roots', read: [dir], write: [dir] } } });
}

type Runner = (f: SourceFile, name: string) => Promise<Sample>;

function runners(p: PeerPair, dest: string, servers: { http: { pid: number; port: number }; tls: { pid: number; port: number } }, timeoutMs: number, clientMax: { mb: number }): Record<Side, Runner> {
  const { a, b, aOnB } = p;
  /** A daemon's run: its health watched (A, the receiver), its threads' CPU read around it. */
  const daemonRun = async (f: SourceFile, label: string, who: Record<string, number>, fn: () => Promise<{ ms: number; cpu?: Sample['cpu']; check(): Promise<void> }>): Promise<Sample> => {
    const health = watchHealth(a.url);
    const cpu0 = Object.fromEntries(Object.entries(who).map(([k, pid]) => [k, threadCpuOf(pid)]));
    const r = await fn().finally(() => health.stop());
    const cpu = Object.assign({}, r.cpu, ...Object.entries(who).map(([k, pid]) => threadCpuSince(k, pid, cpu0[k]!))) as Sample['cpu'];
    const slowestHealthMs = await health.stop();
    await r.check().catch((err: unknown) => Promise.reject(new Error(`${label}: ${(err as Error).message}`)));
    return { ...sample(f.size, r.ms, cpu), slowestHealthMs };
  };
  return {
    async ferry(f, name) {
      const copy = path.join(dest, name);
      return daemonRun(f, 'ferry B → A', { B: b.pid, A: a.pid }, async () => {
        const { ms, transfer } = await timedTransfer(b.client, { direction: 'push', peer: aOnB, source: f.path, destination: copy }, timeoutMs);
        return { ms, check: async () => (checkTransfer('ferry B → A', transfer, { path: copy, size: f.size, sha256: f.sha256 }), await checkAndRemove('ferry B → A', copy, f)) };
      });
    },
    async local(f, name) {
      const copy = path.join(dest, name);
      return daemonRun(f, 'ferry local push on A', { A: a.pid }, async () => {
        const { ms, transfer } = await timedTransfer(a.client, { direction: 'push', source: f.path, destination: copy }, timeoutMs);
        return { ms, check: async () => (checkTransfer('ferry local', transfer, { path: copy, size: f.size, sha256: f.sha256 }), await checkAndRemove('ferry local', copy, f)) };
      });
    },
    async api(f, name) {
      const copy = path.join(dest, name);
      return daemonRun(f, 'curl -T to A\'s upload API', { A: a.pid }, async () => {
        const r = await apiPut(a.url, a.headers, f, copy, timeoutMs);
        return {
          ms: r.ms,
          cpu: { curl: r.cpu },
          check: async () => {
            if (r.done.path !== copy || r.done.size !== f.size || r.done.sha256 !== f.sha256) throw new Error(`the commit answered ${JSON.stringify(r.done)}`);
            await checkAndRemove('curl → upload API', copy, f);
          },
        };
      });
    },
    async bare(f, name) {
      const cpu0 = threadCpuOf(servers.http.pid);
      const r = await curlPut(`http://127.0.0.1:${servers.http.port}/${encodeURIComponent(name)}`, f.path, timeoutMs);
      const serverCpu = threadCpuSince('server', servers.http.pid, cpu0);
      checkBareAnswer('bare', r.body, f);
      await checkAndRemove('bare', path.join(dest, name), f);
      return sample(f.size, r.ms, { curl: r.cpu, ...serverCpu });
    },
    async mtls(f, name) {
      const cpu0 = threadCpuOf(servers.tls.pid);
      const r = await nodePut(`https://127.0.0.1:${servers.tls.port}/${encodeURIComponent(name)}`, f.path, b.identityFiles, timeoutMs);
      const serverCpu = threadCpuSince('server', servers.tls.pid, cpu0);
      clientMax.mb = Math.max(clientMax.mb, r.maxRssMb);
      checkBareAnswer('bare mTLS', r.body, f);
      await checkAndRemove('bare mTLS', path.join(dest, name), f);
      return sample(f.size, r.ms, { client: r.cpu, ...serverCpu });
    },
    async cp(f, name) {
      const copy = path.join(dest, name);
      const r = await cpCopy(f.path, copy, timeoutMs);
      await checkAndRemove('cp', copy, f);
      return sample(f.size, r.ms, { cp: r.cpu });
    },
  };
}

/**
 * Every side copies the same file into the same directory: two paired daemons (B pinned to the
 * sending CPU, A to the receiving one), a bare node:http and a bare node:https upload server (on
 * the receiving CPU). Each side first copies a small file, checked, before anything is timed;
 * every timed copy is checked too (size, SHA-256 computed by the bench, no temporary file left).
 */
export async function runSides(ctx: RunContext, src: SourceFile, warm: SourceFile, timeoutMs: number): Promise<SidesResult> {
  const dest = fs.realpathSync(tempDir('ferry-bench-transfer-dest-'));
  const profileDir = (name: string) => (ctx.profileRoot ? path.join(ctx.profileRoot, `transfer-${name}`) : undefined);
  let pair: PeerPair | undefined;
  try {
    pair = await startPeerPair(ctx, 'transfer');
    const { a, b } = pair;
    // B sends, on the load generator's CPU, as curl and the bare client do; A receives, on the servers'.
    pin(b.pid, CLIENT_CPU);
    const aStart = memoryOf(a.pid);
    const bStart = memoryOf(b.pid);
    await allowDir(pair, dest);
    const http = await startUploadServer(dest, undefined, profileDir('bare-http'));
    let value: Omit<SidesResult, 'profiles'>;
    const spans: Window[] = [];
    let window: Window;
    try {
      const tls = await startUploadServer(dest, a.identityFiles, profileDir('bare-tls'));
      try {
        const clientMax = { mb: 0 };
        const run = runners(pair, dest, { http, tls }, timeoutMs, clientMax);
        for (const side of SIDES) await run[side](warm, `warm-${side}.bin`);
        const runs = Object.fromEntries(SIDES.map((s) => [s, [] as Sample[]])) as Record<Side, Sample[]>;
        const aBefore = memoryOf(a.pid);
        const bBefore = memoryOf(b.pid);
        const fromUs = monotonicUs();
        for (const [i, side] of ORDER.entries()) {
          const t0 = monotonicUs();
          runs[side].push(await run[side](src, `${side}-${i}.bin`));
          if (side === 'ferry') spans.push({ fromUs: t0, toUs: monotonicUs() });
          await sleep(SETTLE_MS);
        }
        window = { fromUs, toUs: monotonicUs() };
        value = {
          runs,
          memory: { aStart, aBefore, aAfter: memoryOf(a.pid), bStart, bBefore, bAfter: memoryOf(b.pid), bareHttp: memoryOf(http.pid), bareTls: memoryOf(tls.pid), bareClientMaxMb: clientMax.mb },
        };
      } finally {
        await tls.stop();
      }
    } finally {
      await http.stop();
    }
    const stopping = pair;
    pair = undefined;
    const daemons = await stopping.stop(window);
    // Each daemon's profile over the ferry runs only (A also served the api and local runs).
    const profiles: ProfileSummary[] = [];
    if (daemons.B) profiles.push(summarizeSpans(daemons.B.file, 'transfer B (sending), ferry runs', spans));
    if (daemons.A) profiles.push(summarizeSpans(daemons.A.file, 'transfer A (receiving), ferry runs', spans));
    for (const name of ['bare-http', 'bare-tls']) {
      const dir = profileDir(name);
      const file = dir ? newestProfile(dir) : undefined;
      if (file) profiles.push(summarizeProfile(file, `transfer ${name} server (all its runs)`, window));
    }
    return { ...value, ...(profiles.length ? { profiles } : {}) };
  } finally {
    await pair?.stop().catch(() => undefined);
    fs.rmSync(dest, { recursive: true, force: true });
  }
}
