import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../../server/node-flags.js';
import { FerryClient } from '../../server/client/index.js';
import type { RuntimeInfo } from '../../server/protocol/home.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DAEMON_MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
export const CLI_MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

const createdHomes: string[] = [];
function removeTempHomes(): void {
  for (const dir of createdHomes.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
// Temp data dirs go at the end of each test file (a test may restart a daemon on the same dir, so
// not sooner). Vitest's fork workers are ended without an 'exit' event, so that alone left them all
// (gigabytes, with the file tests). Registered on import, this hook runs after the file's own
// afterAll hooks (they stop the daemons). Outside vitest (the benchmarks) the 'exit' event does it.
if (process.env.VITEST) afterAll(removeTempHomes);
process.once('exit', removeTempHomes);

export function tempHome(prefix = 'ferry-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  createdHomes.push(dir);
  return dir;
}

export interface SpawnedDaemon {
  url: string;
  port: number;
  /** The mutual-TLS peer listener's port (null when it is off). */
  peerPort: number | null;
  home: string;
  token: string;
  client: FerryClient;
  proc: ChildProcess;
  /** Everything the daemon wrote to stderr so far (its JSON log lines). */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  home?: string;
  env?: Record<string, string>;
  /** Bound on start-up, ms. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start the BUILT daemon (`node dist/server/main.js`) on 127.0.0.1 port 0 in a temp FERRY_HOME,
 * and resolve once it has written daemon.json and answers /health.
 */
export async function spawnDaemon(opts: SpawnOptions = {}): Promise<SpawnedDaemon> {
  if (!fs.existsSync(DAEMON_MAIN)) throw new Error(`${DAEMON_MAIN} is missing: run \`npm run build:ts\` first`);
  const home = opts.home ?? tempHome();
  const runtimeFile = path.join(home, 'daemon.json');
  fs.rmSync(runtimeFile, { force: true });
  const proc = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_MAIN], {
    // Both listeners on loopback, any free port; no mDNS (the netns tests turn it on in their own network).
    env: {
      ...process.env,
      FERRY_HOME: home,
      FERRY_PORT: '0',
      FERRY_HOST: '127.0.0.1',
      FERRY_PEER_PORT: '0',
      FERRY_PEER_HOST: '127.0.0.1',
      FERRY_DISCOVERY_ENABLED: 'false',
      FERRY_LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let runtime: RuntimeInfo | undefined;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the daemon exited with ${exitCode} during start-up:\n${out}`);
    try {
      const r = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
      if (r.pid === proc.pid) {
        runtime = r;
        break;
      }
    } catch {
      // not written yet
    }
    await sleep(25);
  }
  if (!runtime) {
    proc.kill('SIGKILL');
    throw new Error(`the daemon did not start within ${opts.timeoutMs ?? 15_000} ms:\n${out}`);
  }
  const token = fs.readFileSync(path.join(home, 'admin.token'), 'utf8').trim();
  const client = new FerryClient({ baseUrl: runtime.url, token });
  await client.health();
  return {
    url: runtime.url,
    port: runtime.port,
    peerPort: runtime.peerPort,
    home,
    token,
    client,
    proc,
    output: () => out,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (exitCode !== undefined) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * One spawned daemon for the tests of a describe block (or file): started before them, stopped
 * after. Returns a getter, because the daemon exists only once `beforeAll` has run.
 */
export function useDaemon(opts: SpawnOptions = {}): () => SpawnedDaemon {
  let daemon: SpawnedDaemon | undefined;
  beforeAll(async () => {
    daemon = await spawnDaemon(opts);
  });
  afterAll(async () => {
    await daemon?.stop();
  });
  return () => {
    if (!daemon) throw new Error('the daemon is not started: call useDaemon() at the top of a describe block');
    return daemon;
  };
}
