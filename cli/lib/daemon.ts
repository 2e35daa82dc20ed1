import fs from 'node:fs';
import { FerryClient } from '../../server/client/index.js';
import { readRuntime } from '../../server/client/local.js';
import type { Health } from '../../server/protocol/index.js';
import { processAlive, type HomePaths, type RuntimeInfo } from '../../server/protocol/home.js';

/** The pid in daemon.pid, or null when there is none (or it is garbage). */
export function readPidFile(paths: HomePaths): number | null {
  let text: string;
  try {
    text = fs.readFileSync(paths.pid, 'utf8').trim();
  } catch {
    return null;
  }
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

/** Whether a process exists (a zombie does not). */
export const isAlive = processAlive;

/** GET /health with a short deadline; null when nothing answers. */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<Health | null> {
  try {
    return await new FerryClient({ baseUrl: url }).request<Health>('GET', '/health', { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return null;
  }
}

export interface DaemonState {
  /** From daemon.pid. */
  pid: number | null;
  alive: boolean;
  /** From daemon.json (written once the daemon listens). */
  runtime: RuntimeInfo | null;
  health: Health | null;
}

/** What the data dir says about its daemon, checked against the process table and the network. */
export async function inspectDaemon(home: string, paths: HomePaths): Promise<DaemonState> {
  const pid = readPidFile(paths);
  const runtime = readRuntime(home);
  const alive = pid !== null && isAlive(pid);
  const health = runtime && alive && runtime.pid === pid ? await probeHealth(runtime.url) : null;
  return { pid, alive, runtime, health };
}

/** Poll `check` until it returns a value other than undefined, or give up after `timeoutMs`. */
export async function pollUntil<T>(
  check: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<T | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}

/**
 * The last `lines` lines of a text file ('' if it does not exist). Reads backwards from the end in
 * chunks, so a large log costs only what is shown. `end` stops at that byte offset instead of the end.
 */
export function tailFile(file: string, lines: number, end?: number): string {
  if (lines <= 0) return '';
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = Math.min(end ?? Infinity, fs.fstatSync(fd).size);
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    // One newline more than asked for: the file's final newline ends the last line.
    while (pos > 0 && newlines <= lines) {
      const length = Math.min(64 * 1024, pos);
      pos -= length;
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, pos);
      chunks.unshift(buf);
      for (const byte of buf) if (byte === 0x0a) newlines++;
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
    return text === '' ? '' : text.split('\n').slice(-lines).join('\n');
  } finally {
    fs.closeSync(fd);
  }
}
