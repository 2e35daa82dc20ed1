import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Policy, Transfer, TransferCreate } from '../../server/protocol/index.js';
import { spawnDaemon, tempHome, type SpawnedDaemon, type SpawnOptions } from './daemon.js';
import { identityOf, pair } from './peers.js';
import { waitFor } from './proc.js';

export const MB = 1024 * 1024;

/**
 * Peers are always rate limited (files: 120 a minute by default); a suite that makes dozens of
 * transfers through one pair would wait out whole windows, so test pairs get a high limit.
 */
const TEST_ENV = { FERRY_RATE_LIMITS_FILES: '100000' };

/** Temp dirs are realpath'd: the daemon answers with real paths (on macOS /tmp is a symlink). */
export const tempDir = (prefix = 'ferry-files-') => fs.realpathSync(tempHome(prefix));

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');

/** A file of random bytes, written a MiB at a time (never whole in memory). */
export function writeRandom(file: string, size: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < size; done += MB) fs.writeSync(fd, crypto.randomBytes(Math.min(MB, size - done)));
  } finally {
    fs.closeSync(fd);
  }
}

/** A sparse file: `size` bytes of holes with a few random 64 KiB blocks, cheap to create at any size. */
export function writeSparse(file: string, size: number, blocks = 8): void {
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, size);
  const fd = fs.openSync(file, 'r+');
  try {
    for (let i = 0; i < blocks; i++) {
      const at = Math.floor(((i + 0.5) / blocks) * (size - 64 * 1024));
      fs.writeSync(fd, crypto.randomBytes(64 * 1024), 0, 64 * 1024, at);
    }
    // The last byte too, so the end of the file is data, not a hole.
    fs.writeSync(fd, Buffer.from([0x7f]), 0, 1, size - 1);
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes a file really occupies on disk (less than its size when it has holes). */
export const allocated = (file: string) => fs.statSync(file).blocks * 512;

/** Upload temporaries (`.ferry-…`) left in a directory, searched below it too. */
export function strays(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((rel) => path.basename(rel).startsWith('.ferry-'));
}

/** Every path below a directory (for "nothing was written here" checks). */
export const contents = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();

/** Poll a transfer until it is no longer running. */
export async function finished(d: SpawnedDaemon, id: string, timeoutMs = 60_000): Promise<Transfer> {
  let last: Transfer | undefined;
  await waitFor(async () => (last = await d.client.transfer(id)).state !== 'running', timeoutMs, `transfer ${id} to end`);
  return last!;
}

export async function transfer(d: SpawnedDaemon, req: TransferCreate, timeoutMs?: number): Promise<Transfer> {
  return finished(d, (await d.client.startTransfer(req)).id, timeoutMs);
}

/** A port that was free a moment ago (to start a daemon on the same peer port twice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface FilePair {
  /** The receiver of pushes, and the source of pulls. */
  a: SpawnedDaemon;
  /** Starts every transfer; paired with a, which grants it `roots`. */
  b: SpawnedDaemon;
  aEnv: Record<string, string>;
  bEnv: Record<string, string>;
}

/**
 * alpha and bravo, paired (trusted both ways), alpha granting bravo file roots in the temp dir
 * (a trusted peer's roots are the home directory, which tests must not write in).
 */
export async function filePair(opts: { aEnv?: Record<string, string>; bEnv?: Record<string, string>; read?: string[]; write?: string[] } = {}): Promise<FilePair> {
  const aEnv = { ...TEST_ENV, FERRY_NAME: 'alpha', ...opts.aEnv };
  const bEnv = { ...TEST_ENV, FERRY_NAME: 'bravo', ...opts.bEnv };
  const [a, b] = await Promise.all([spawnDaemon({ env: aEnv }), spawnDaemon({ env: bEnv })]);
  await pair(a, b);
  const tmp = fs.realpathSync(os.tmpdir());
  await setRoots(a, { read: opts.read ?? [tmp], write: opts.write ?? [tmp] });
  return { a, b, aEnv, bEnv };
}

export async function setRoots(a: SpawnedDaemon, roots: { read: string[]; write: string[] }): Promise<void> {
  const policy = (await a.client.peers()).items.find((p) => p.name === 'bravo')!.policy! as Policy;
  await a.client.updatePeer('bravo', { policy: { ...policy, files: { mode: 'roots', ...roots } } });
}

/** Start a daemon again on the same data dir (after a kill), with the same environment. */
export const restart = (d: SpawnedDaemon, env: Record<string, string>, more: SpawnOptions = {}) => spawnDaemon({ ...more, home: d.home, env });

// ── speaking to a peer port directly, as a (possibly malicious) paired peer would ──────────

export interface PeerAnswer {
  status: number;
  body: unknown;
  trailers: NodeJS.Dict<string>;
}

export interface PeerCall {
  method: string;
  /** Under /peer/v1. */
  path: string;
  json?: unknown;
  /** Raw bytes (sent as application/octet-stream). */
  raw?: Buffer | AsyncIterable<Buffer>;
  headers?: Record<string, string>;
}

/** One request to a peer port with a node's identity; no pinning (the test trusts its own daemon). */
export function peerCall(port: number, identity: { key: string; cert: string }, call: PeerCall): Promise<PeerAnswer> {
  return new Promise((resolve, reject) => {
    const data = call.json !== undefined ? Buffer.from(JSON.stringify(call.json)) : Buffer.isBuffer(call.raw) ? call.raw : undefined;
    const headers: Record<string, string> = { ...call.headers };
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    if (call.raw !== undefined) headers['content-type'] = 'application/octet-stream';
    if (data) headers['content-length'] = String(data.length);
    const req = https.request(
      { host: '127.0.0.1', port, method: call.method, path: `/peer/v1${call.path}`, rejectUnauthorized: false, minVersion: 'TLSv1.3', key: identity.key, cert: identity.cert, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body, trailers: res.trailers });
        });
      },
    );
    req.once('error', reject);
    if (data || call.raw === undefined) req.end(data);
    else {
      void (async () => {
        try {
          for await (const chunk of call.raw as AsyncIterable<Buffer>) {
            if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          }
          req.end();
        } catch (err) {
          req.destroy(err as Error);
        }
      })();
    }
  });
}

/** The upload routes of alpha's peer port, spoken as bravo (with bravo's own key). */
export function uploadsAs(b: SpawnedDaemon, peerPort: number) {
  const id = identityOf(b.home);
  const call = (c: PeerCall) => peerCall(peerPort, id, c);
  return {
    call,
    create: (body: { path: string; kind: 'file' | 'archive'; size?: number; force?: boolean; parents?: boolean }) => call({ method: 'POST', path: '/files/uploads', json: body }),
    state: (upload: string) => call({ method: 'GET', path: `/files/uploads/${upload}` }),
    put: (upload: string, offset: number, raw: Buffer | AsyncIterable<Buffer>) => call({ method: 'PUT', path: `/files/uploads/${upload}`, raw, headers: { 'x-ferry-offset': String(offset) } }),
    commit: (upload: string, size: number, sha: string) => call({ method: 'POST', path: `/files/uploads/${upload}/commit`, json: { size, sha256: sha } }),
  };
}

// ── memory ───────────────────────────────────────────────────────────────────

/** A value (kB) from /proc/<pid>/status, as bytes; null once the process is gone. */
export function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped; resolves the largest seen per pid. */
export function sampleRss(pids: number[], everyMs = 100): { stop(): Map<number, number> } {
  const max = new Map<number, number>(pids.map((p) => [p, 0]));
  const take = () => {
    for (const p of pids) max.set(p, Math.max(max.get(p)!, procStatus(p, 'VmRSS') ?? 0));
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return max;
    },
  };
}
