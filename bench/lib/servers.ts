import { DAEMON_NODE_FLAGS } from '../../server/node-flags.js';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnBenchDaemon } from './daemon.js';
import { pin, SERVER_CPU, spawnNode, tempDir } from './proc.js';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASELINES = path.join(BENCH_DIR, 'baselines');

/** A server under test, in its own process: Ferry's daemon or a baseline. */
export interface Target {
  label: string;
  url: string;
  pid: number;
  /** Headers every request to it needs (the daemon's bearer token; nothing for a baseline). */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

export interface FerryOptions {
  /** Run the daemon under `node --cpu-prof`, writing the profile here when it stops. */
  cpuProfileDir?: string;
  /** Start on an empty data dir (see BenchDaemonOptions.firstStart). */
  firstStart?: boolean;
  /** More node flags for the daemon. */
  nodeFlags?: string[];
  /** Extra environment for the daemon (e.g. a PATH with the fake agents). */
  env?: Record<string, string>;
}

/** BENCH_DAEMON_FLAGS: node flags for every daemon the benches start, to try e.g. GC settings. */
export const DAEMON_FLAGS = [...DAEMON_NODE_FLAGS, ...(process.env.BENCH_DAEMON_FLAGS ?? '').split(/\s+/).filter(Boolean)];

/** The built daemon (`node dist/server/main.js`) in a temp FERRY_HOME, pinned like every server. */
export async function startFerry(opts: FerryOptions = {}): Promise<Target> {
  const nodeFlags = [...DAEMON_FLAGS, ...(opts.nodeFlags ?? []), ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [])];
  const d = await spawnBenchDaemon({ nodeFlags, firstStart: opts.firstStart ?? false, ...(opts.env ? { env: opts.env } : {}) });
  pin(d.pid, SERVER_CPU);
  return {
    label: 'ferry',
    url: d.url,
    pid: d.pid,
    headers: { authorization: `Bearer ${d.token}` },
    async stop() {
      const code = await d.stop();
      if (code !== 0) throw new Error(`the daemon exited with ${code} on SIGTERM:\n${d.output().slice(-2000)}`);
    },
  };
}

/**
 * A baseline context server in its own process: `bare` is node:http around the daemon's context
 * SQL and nothing else; `express` is Express 5 around the same SQL (the framework's share).
 */
export async function startContextBaseline(kind: 'bare' | 'express', opts: { cpuProfileDir?: string } = {}): Promise<Target> {
  const dir = tempDir(`ferry-bench-${kind}-`);
  const script = path.join(BASELINES, `${kind}-context-server.mjs`);
  const prof = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  const child = await spawnNode<{ port: number }>([...prof, script, path.join(dir, 'context.db')]);
  pin(child.pid, SERVER_CPU);
  return {
    label: kind,
    url: `http://127.0.0.1:${child.ready.port}`,
    pid: child.pid,
    headers: {},
    async stop() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Spawner {
  pid: number;
  /** Spawn argv in the spawner and collect stdout; `ms` is timed inside it, spawn() to 'close'. */
  run(argv: string[]): Promise<{ ms: number; code: number | null; stdout: string }>;
  stop(): Promise<void>;
}

const RUN_TIMEOUT_MS = 10_000;

/** The exec floor: a minimal node process that spawns on request (baselines/bare-spawner.mjs). */
export async function startSpawner(): Promise<Spawner> {
  const child = await spawnNode<unknown>([path.join(BASELINES, 'bare-spawner.mjs')]);
  pin(child.pid, SERVER_CPU);
  const lines = readline.createInterface({ input: child.proc.stdout! })[Symbol.asyncIterator]();
  return {
    pid: child.pid,
    async run(argv) {
      child.proc.stdin!.write(JSON.stringify(argv) + '\n');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the spawner did not answer within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
      });
      const next = await Promise.race([lines.next(), timeout]).finally(() => clearTimeout(timer));
      if (next.done) throw new Error('the spawner exited');
      const r = JSON.parse(next.value) as { ms: number; code: number | null; stdout: string } | { error: string };
      if ('error' in r) throw new Error(`bare spawn: ${r.error}`);
      return r;
    },
    stop: () => child.stop(),
  };
}
