import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FerryClient } from '../../server/client/index.js';
import type { Transfer, TransferCreate, UploadDone, UploadState } from '../../server/protocol/index.js';
import { runCommand } from './command.js';
import type { CpuTimes } from './cpu.js';
import { expectJson, requestJson } from './http.js';
import type { TlsIdentity } from './mtls.js';
import { CLIENT_CPU, pin, SERVER_CPU, sleep, spawnNode, type Child } from './proc.js';

const BASELINES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'baselines');

/** One timed copy of a file by one side: how long, and the CPU each process involved used. */
export interface Sample {
  ms: number;
  /** 10⁶ bytes per second. */
  mbPerS: number;
  /** By process (daemon, server, curl…), user and system seconds. */
  cpu: Record<string, CpuTimes>;
  /** Ferry only: the slowest answer of the daemon's /health during the run, ms (see watchHealth). */
  slowestHealthMs?: number;
}

export const sample = (bytes: number, ms: number, cpu: Record<string, CpuTimes>): Sample => ({ ms, mbPerS: bytes / 1e6 / (ms / 1000), cpu });

/**
 * Start a transfer on a daemon and time it from the POST to its `transfer.finished` event (SSE,
 * subscribed before the POST, so the end is seen the moment the daemon announces it), bounded.
 */
export async function timedTransfer(client: FerryClient, req: TransferCreate, timeoutMs: number): Promise<{ ms: number; transfer: Transfer }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no transfer.finished within ${timeoutMs} ms`)), timeoutMs);
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const finished = new Map<string, Transfer>();
  let wanted: string | undefined;
  let settle!: (t: Transfer) => void;
  const done = new Promise<Transfer>((resolve) => (settle = resolve));
  const pump = (async () => {
    for await (const e of client.events({ topics: ['transfers'], signal: ac.signal, onReady })) {
      if (e.type !== 'transfer.finished') continue;
      finished.set(e.data.transfer.id, e.data.transfer);
      if (wanted !== undefined && finished.has(wanted)) return settle(finished.get(wanted)!);
    }
  })();
  const failed = pump.then(
    () => Promise.reject(new Error('the event stream ended before the transfer finished')),
    (err: unknown) => Promise.reject(ac.signal.aborted && ac.signal.reason instanceof Error ? ac.signal.reason : (err as Error)),
  );
  failed.catch(() => undefined);
  try {
    await Promise.race([ready, failed]);
    const t0 = performance.now();
    const started = await client.startTransfer(req);
    wanted = started.id;
    if (finished.has(wanted)) settle(finished.get(wanted)!);
    const transfer = await Promise.race([done, failed]);
    return { ms: performance.now() - t0, transfer };
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/**
 * Ask a daemon's GET /api/v1/health every 100 ms until stopped, one request at a time: the
 * slowest answer bounds how long its event loop was blocked (a synchronous call holds every
 * request to that daemon). A few requests a second: noise for the transfer being timed.
 */
export function watchHealth(url: string): { stop(): Promise<number> } {
  let stopped = false;
  let slowest = 0;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      const r = await requestJson(url, 'GET', '/api/v1/health', {}, undefined, 60_000);
      if (r.status !== 200) throw new Error(`GET /api/v1/health: ${r.status}`);
      slowest = Math.max(slowest, performance.now() - t0);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return slowest;
    },
  };
}

/** A transfer must have ended `done` where it was sent, with the source's hash: else nothing is timed. */
export function checkTransfer(label: string, t: Transfer, want: { path: string; size: number; sha256: string }): void {
  if (t.state !== 'done' || t.sha256 !== want.sha256 || t.bytes !== want.size || t.finalPath !== want.path) {
    throw new Error(`${label}: the transfer did not end as expected: ${JSON.stringify(t).slice(0, 600)}`);
  }
}

/** `curl -T` streams the file as a PUT (Content-Length from the file's size); `--data-binary @file` would read it all into memory first. */
export async function curlPut(url: string, file: string, timeoutMs: number): Promise<{ ms: number; cpu: CpuTimes; body: unknown }> {
  const r = await runCommand(['curl', '-sS', '--fail-with-body', '-H', 'Expect:', '-T', file, '-w', '\n%{http_code} %{time_total}', url], { timeoutMs });
  const nl = r.stdout.lastIndexOf('\n');
  const [status, seconds] = r.stdout.slice(nl + 1).split(' ');
  if (r.code !== 0 || status !== '201') throw new Error(`curl -T ${url}: exit ${r.code}, HTTP ${status}: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return { ms: Number(seconds) * 1000, cpu: r.cpu, body: JSON.parse(r.stdout.slice(0, nl)) as unknown };
}

/**
 * `curl -T` into a daemon's own upload API over its local (plain HTTP) listener, the way a client
 * without the CLI would send a file: `POST /api/v1/files/uploads {path, kind, size}`, the body
 * streamed by `PUT /api/v1/files/uploads/:id` (x-ferry-offset: 0), then `POST …/commit {size,
 * sha256}`. The time is the two JSON calls (timed here) plus curl's own time_total for the PUT,
 * as the bare side is timed by curl.
 */
export async function apiPut(base: string, headers: Record<string, string>, file: { path: string; size: number; sha256: string }, target: string, timeoutMs: number): Promise<{ ms: number; cpu: CpuTimes; done: UploadDone }> {
  const t0 = performance.now();
  const up = (await expectJson(201, base, 'POST', '/api/v1/files/uploads', headers, { path: target, kind: 'file', size: file.size })) as UploadState;
  const createMs = performance.now() - t0;
  const url = `${base}/api/v1/files/uploads/${encodeURIComponent(up.id)}`;
  const auth = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = ['curl', '-sS', '--fail-with-body', '-H', 'Expect:', ...auth, '-H', 'x-ferry-offset: 0', '-H', 'content-type: application/octet-stream', '-T', file.path, '-w', '\n%{http_code} %{time_total}', url];
  const r = await runCommand(args, { timeoutMs });
  const nl = r.stdout.lastIndexOf('\n');
  const [status, seconds] = r.stdout.slice(nl + 1).split(' ');
  if (r.code !== 0 || status !== '200') throw new Error(`curl -T ${url}: exit ${r.code}, HTTP ${status}: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  const state = JSON.parse(r.stdout.slice(0, nl)) as UploadState;
  if (state.offset !== file.size) throw new Error(`curl -T to the upload API: the daemon holds ${state.offset} bytes, not ${file.size}`);
  const t1 = performance.now();
  const done = (await expectJson(200, base, 'POST', `/api/v1/files/uploads/${encodeURIComponent(up.id)}/commit`, headers, { size: file.size, sha256: file.sha256 }, timeoutMs)) as UploadDone;
  const commitMs = performance.now() - t1;
  return { ms: createMs + Number(seconds) * 1000 + commitMs, cpu: r.cpu, done };
}

/**
 * `cp` with the durability of an upload: to a hidden temporary name in the target's directory,
 * `sync FILE` (fsync), `mv` onto the target, `sync DIR` (fsync of the directory). coreutils ≥ 9
 * copies with copy_file_range: the kernel moves the bytes, nothing passes through user space.
 * On the servers' CPU, like the daemon that does the whole job in one process.
 */
export async function cpCopy(file: string, target: string, timeoutMs: number): Promise<{ ms: number; cpu: CpuTimes }> {
  const temp = path.join(path.dirname(target), `.cp-${path.basename(target)}.part`);
  const script = 'cp -- "$1" "$2" && sync -- "$2" && mv -- "$2" "$3" && sync -- "$4"';
  const r = await runCommand(['sh', '-c', script, 'sh', file, temp, target, path.dirname(target)], { timeoutMs, cpu: SERVER_CPU });
  if (r.code !== 0) throw new Error(`cp + sync: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
  return { ms: r.wallMs, cpu: r.cpu };
}

/** baselines/bare-upload-client.mjs: one mutual-TLS PUT from a bare node process, on the sending side's CPU (it plays the sending daemon). */
export async function nodePut(url: string, file: string, id: TlsIdentity, timeoutMs: number): Promise<{ ms: number; cpu: CpuTimes; maxRssMb: number; body: unknown }> {
  const r = await runCommand([process.execPath, path.join(BASELINES, 'bare-upload-client.mjs'), url, file, id.key, id.cert], { timeoutMs, cpu: CLIENT_CPU });
  if (r.code !== 0) throw new Error(`bare-upload-client: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
  const out = JSON.parse(r.stdout) as { status: number; body: unknown; ms: number; userMs: number; sysMs: number; maxRssMb: number };
  if (out.status !== 201) throw new Error(`bare-upload-client: HTTP ${out.status}: ${JSON.stringify(out.body).slice(0, 300)}`);
  return { ms: out.ms, cpu: { user: out.userMs / 1000, sys: out.sysMs / 1000 }, maxRssMb: out.maxRssMb, body: out.body };
}

/** The bare server must report the source's size and hash. */
export function checkBareAnswer(label: string, body: unknown, want: { size: number; sha256: string }): void {
  const b = body as { size?: number; sha256?: string } | undefined;
  if (b?.size !== want.size || b.sha256 !== want.sha256) throw new Error(`${label}: the bare server answered ${JSON.stringify(body).slice(0, 300)}`);
}

/** baselines/bare-upload-server.mjs writing into `dir`: plain HTTP, or mutual TLS with `tls` (files). Pinned like every server. */
export async function startUploadServer(dir: string, tls?: TlsIdentity, cpuProfileDir?: string): Promise<Child & { port: number }> {
  if (cpuProfileDir) fs.mkdirSync(cpuProfileDir, { recursive: true });
  const prof = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = await spawnNode<{ port: number }>([...prof, path.join(BASELINES, 'bare-upload-server.mjs'), dir, ...(tls ? [tls.key, tls.cert] : [])]);
  pin(child.pid, SERVER_CPU);
  return { ...child, port: child.ready.port };
}
