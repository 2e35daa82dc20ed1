import fs from 'node:fs';
import path from 'node:path';
import { mean, type Bench } from './lib/bench.js';
import { pinning, tempDir } from './lib/proc.js';
import type { Row } from './lib/report.js';
import { makeSource, MiB, type SourceFile } from './lib/transfer-data.js';
import type { Sample } from './lib/transfer-runs.js';
import { onSenderCpu, ORDER, runSides, SIDES, type Side, type SidesResult } from './lib/transfer-sides.js';

const GiB = 1024 * MiB;
/** Each side copies this first, checked, before anything is timed. */
const WARM_BYTES = 16 * MiB;
/** The bound on one copy; the slowest side moves 1 GiB in ~15 s here. */
const RUN_TIMEOUT_MS = 90_000;
/** The issue's bound on the daemon's memory while it moves a large file. */
const RSS_BOUND_MB = 150;

const mbPerS = (xs: Sample[]) => mean(xs.map((s) => s.mbPerS));
const cpuS = (s: Sample) => Object.values(s.cpu).reduce((n, c) => n + c.user + c.sys, 0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
/** One run as "ms (MB/s; CPU s by process)". */
const describe = (s: Sample) => `${Math.round(s.ms)} ms (${f1(s.mbPerS)} MB/s; CPU ${Object.entries(s.cpu).map(([k, c]) => `${k} ${f2(c.user + c.sys)} s`).join(' + ')})`;

const WHAT: Record<Side, string> = {
  ferry: 'ferry B → A',
  bare: 'curl -T → bare http',
  mtls: 'bare https client → server',
  api: 'curl -T → A\'s upload API',
  local: 'ferry local push on A',
  cp: 'cp + fsync',
};

function rows(size: number, r: SidesResult): Row[] {
  const perGiB = (xs: Sample[]) => mean(xs.map(cpuS)) / (size / GiB);
  const R = r.runs;
  const m = r.memory;
  return [
    { metric: 'push B → A (ferry send, mTLS) vs curl -T to bare http', unit: 'MB/s', ferry: mbPerS(R.ferry), baseline: mbPerS(R.bare), target: { kind: 'ratio-min', value: 0.7 } },
    { metric: 'push B → A vs bare https mTLS client → server', unit: 'MB/s', ferry: mbPerS(R.ferry), baseline: mbPerS(R.mtls), target: { kind: 'ratio-min', value: 0.5 } },
    { metric: 'push B → A vs cp + fsync (ref.)', unit: 'MB/s', ferry: mbPerS(R.ferry), baseline: mbPerS(R.cp) },
    { metric: 'curl -T to A\'s upload API vs to bare http (ref.)', unit: 'MB/s', ferry: mbPerS(R.api), baseline: mbPerS(R.bare) },
    { metric: 'local push on A, no network, vs bare http (ref.)', unit: 'MB/s', ferry: mbPerS(R.local), baseline: mbPerS(R.bare) },
    { metric: 'CPU per GiB: push B → A vs bare mTLS (all processes)', unit: 's/GiB', ferry: perGiB(R.ferry), baseline: perGiB(R.mtls) },
    { metric: 'CPU per GiB: curl → upload API vs → bare http', unit: 's/GiB', ferry: perGiB(R.api), baseline: perGiB(R.bare) },
    { metric: 'peak RSS (VmHWM), A receiving', unit: 'MB', ferry: m.aAfter.hwmMb, baseline: m.bareTls.hwmMb, target: { kind: 'value-max', value: RSS_BOUND_MB } },
    { metric: 'peak RSS, B sending', unit: 'MB', ferry: m.bAfter.hwmMb, baseline: m.bareClientMaxMb, target: { kind: 'value-max', value: RSS_BOUND_MB } },
  ];
}

function notes(size: number, r: SidesResult): string[] {
  const mem = (x: { rssMb: number; hwmMb: number }) => `RSS ${f1(x.rssMb)} MB, peak ${f1(x.hwmMb)} MB`;
  const gib = size / GiB;
  // Per process, per GiB: total (user + system), and the system share (the kernel's copies and I/O submission).
  const cpuSplit = (xs: Sample[]) =>
    [...new Set(xs.flatMap((s) => Object.keys(s.cpu)))]
      .map((k) => {
        const user = mean(xs.map((s) => s.cpu[k]?.user ?? 0)) / gib;
        const sys = mean(xs.map((s) => s.cpu[k]?.sys ?? 0)) / gib;
        return `${k} ${f2(user + sys)} (sys ${f2(sys)})`;
      })
      .join(' + ');
  // CPU time of each core's processes over the wall time: near 1, that side was CPU-bound.
  const busy = (xs: Sample[], sender: boolean) => mean(xs.map((s) => Object.entries(s.cpu).reduce((n, [k, c]) => (onSenderCpu(k) === sender ? n + c.user + c.sys : n), 0) / (s.ms / 1000)));
  const health = (xs: Sample[]) => xs.map((s) => `${Math.round(s.slowestHealthMs ?? 0)} ms`).join(', ');
  const m = r.memory;
  return [
    `${size / MiB} MiB of random bytes (fsynced, then read from the page cache by every side); MB = 10⁶ bytes; ${ORDER.length / SIDES.length} timed runs per side, order ${ORDER.join(', ')}, each side warmed up and checked with a ${WARM_BYTES / MiB} MiB file first; every copy is checked (size, and SHA-256 computed by the bench) and deleted before the next run`,
    ...SIDES.map((s) => `${WHAT[s]}: ${r.runs[s].map(describe).join(', ')}`),
    `CPU s per GiB by process (system share in brackets): ${SIDES.map((s) => `${WHAT[s]}: ${cpuSplit(r.runs[s])}`).join('; ')}`,
    'ferry B → A (`ferry send`): POST B/api/v1/transfers {direction: push, peer: A, source, destination}, timed from the POST to its transfer.finished event (SSE); B stats and reads the file (64 KiB reads, SHA-256 as it reads) and streams it (chunked) over its keep-alive mutual-TLS agent to A\'s peer port (stat of the destination, create upload, PUT, commit with the sender\'s hash); A writes through its upload machinery (a hidden temporary file, received chunks gathered into ~1 MiB writev calls, SHA-256 again, fsync, hash compared, fsync, rename, fsync of the directory). A lets B write into the bench\'s directory (a trusted peer may only use ~)',
    'bare: `curl -T <file>` (a streamed PUT; `--data-binary @file` would load the file into memory) to baselines/bare-upload-server.mjs (node:http: a hidden temporary file, SHA-256 as it writes, fsync, rename, fsync of the directory), timed by curl (time_total); mtls: baselines/bare-upload-client.mjs (node:https, B\'s key.pem/cert.pem, TLS 1.3, 1 MiB reads, no hash, Content-Length) → the same server over node:https with A\'s key.pem/cert.pem, TLS 1.3, requestCert, timed by the client from the request to the answer\'s end; cp: `cp` to a hidden temporary name, `sync FILE` (fsync), `mv`, `sync DIR`, timed spawn to exit (coreutils cp uses copy_file_range: the kernel copies, nothing passes through user space; no hash)',
    'references: api: `curl -T` into A\'s own upload API over its plain-HTTP local listener (POST /api/v1/files/uploads, PUT …/:id, POST …/commit with the hash; the two JSON calls timed by the bench plus curl\'s time_total): Ferry\'s receiving side against the bare server with the same client; local: POST A/api/v1/transfers with no peer (A reads the file and writes it through its upload machinery in one process, no network)',
    pinning
      ? 'pinning: the sending side on CPU 0 (B, curl, the bare client, and the bench, which only reads events and polls /health meanwhile), the receiving side on CPU 1 (A, both bare servers); cp and the local push (one process does everything) on CPU 1: as on two machines, each end has its own core'
      : 'no CPU pinning (BENCH_PIN=0)',
    `what bounds a run: CPU time / wall time on the sending core | the receiving core = ${SIDES.filter((s) => s !== 'cp' && s !== 'local')
      .map((s) => `${WHAT[s]} ${f2(busy(r.runs[s], true))} | ${f2(busy(r.runs[s], false))}`)
      .join('; ')}; ${WHAT.local} — | ${f2(busy(r.runs.local, false))}; cp — | ${f2(busy(r.runs.cp, false))}. Near 1: CPU-bound there, whatever the disk. "threads" are a process's threads other than its event loop: libuv's pool (the file reads, writes, fsyncs: mostly system time) and V8's helpers (concurrent GC marking: user time)`,
    `A's event loop: the slowest answer to GET /api/v1/health (asked every 100 ms during each daemon run) took ${health(r.runs.ferry)} (ferry B → A), ${health(r.runs.api)} (api), ${health(r.runs.local)} (local): the upload's fsyncs run in the thread pool, so what is left is the event loop's own work`,
    `memory: A once paired ${mem(m.aStart)}, before the timed runs (after the warm-up) ${mem(m.aBefore)}, after ${mem(m.aAfter)}; B once paired ${mem(m.bStart)}, before ${mem(m.bBefore)}, after ${mem(m.bAfter)} (peak = VmHWM, over the process's life; A's covers the api and local runs too); bare http server ${mem(m.bareHttp)}, bare https server ${mem(m.bareTls)}, bare client peak ${f1(m.bareClientMaxMb)} MB`,
  ];
}

export const transfer: Bench = {
  name: 'transfer',
  summary: 'a 1 GiB `ferry send` B → A (mTLS) vs curl -T to a bare node:http server, a bare node:https mTLS upload, and cp',
  async run(ctx) {
    const size = ctx.quick ? 256 * MiB : GiB;
    const dir = tempDir('ferry-bench-transfer-src-');
    try {
      const src: SourceFile = makeSource(path.join(dir, 'source.bin'), size);
      const warm: SourceFile = makeSource(path.join(dir, 'warm.bin'), WARM_BYTES);
      const r = await runSides(ctx, src, warm, RUN_TIMEOUT_MS);
      return {
        name: 'transfer',
        title: `a ${size / MiB} MiB file pushed between two paired daemons on this machine (over mutual TLS, as between machines); every copy fsynced and renamed into place`,
        baseline: 'curl -T (streamed PUT) to a bare node:http upload server (temp file, SHA-256, fsync, rename); a bare node:https client with B\'s certificate to the same server over node:https with A\'s key/cert; ref.: cp + fsync',
        rows: rows(size, r),
        notes: notes(size, r),
        details: { bytes: size, sha256: src.sha256, warmBytes: WARM_BYTES, order: ORDER, runs: r.runs, memory: r.memory },
        profiles: r.profiles ?? [],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
