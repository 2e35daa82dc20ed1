import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DAEMON_MAIN, tempHome } from '../../tests/helpers/daemon.js';
import type { RuntimeInfo } from '../../server/protocol/home.js';
import { sleep } from './proc.js';

export interface BenchDaemon {
  url: string;
  pid: number;
  home: string;
  token: string;
  output(): string;
  /** SIGTERM (the daemon drains and exits; a --cpu-prof profile is written then), bounded; removes the data dir. */
  stop(): Promise<number | null>;
}

export interface BenchDaemonOptions {
  /** node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS, so they go on the command line). */
  nodeFlags?: string[];
  /**
   * false (the default): the data dir is initialised first (identity, certificate, token) in a
   * throwaway process, so the daemon measured is a restart, as it is on every start but a
   * machine's first; a first start also loads the certificate library and keeps it in memory.
   */
  firstStart?: boolean;
  /** Extra environment (FERRY_* settings), over the defaults below. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Like tests/helpers/daemon.ts spawnDaemon (same environment), plus node flags and a prepared home. */
export async function spawnBenchDaemon(opts: BenchDaemonOptions = {}): Promise<BenchDaemon> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  if (!fs.existsSync(DAEMON_MAIN)) throw new Error(`${DAEMON_MAIN} is missing: run \`npm run build:ts\` first`);
  const home = tempHome('ferry-bench-');
  if (!opts.firstStart) {
    const init = `import(${JSON.stringify(pathToFileURL(DAEMON_MAIN).href)}).then((m) => m.initHome({ home: process.env.FERRY_HOME }))`;
    execFileSync(process.execPath, ['-e', init], { env: { ...process.env, FERRY_HOME: home }, stdio: 'pipe', timeout: timeoutMs });
  }
  const proc = spawn(process.execPath, [...(opts.nodeFlags ?? []), DAEMON_MAIN], {
    // As tests/helpers/daemon.ts: both listeners on loopback, any free port, no mDNS on the LAN.
    env: {
      ...process.env,
      FERRY_HOME: home,
      FERRY_PORT: '0',
      FERRY_HOST: '127.0.0.1',
      FERRY_PEER_PORT: '0',
      FERRY_PEER_HOST: '127.0.0.1',
      FERRY_DISCOVERY_ENABLED: 'false',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const runtimeFile = path.join(home, 'daemon.json');
  const deadline = Date.now() + timeoutMs;
  let runtime: RuntimeInfo | undefined;
  while (!runtime && Date.now() < deadline && proc.exitCode === null) {
    try {
      const r = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
      if (r.pid === proc.pid) runtime = r;
    } catch {
      // not written yet
    }
    if (!runtime) await sleep(25);
  }
  if (!runtime) {
    proc.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
    throw new Error(`the daemon did not start${proc.exitCode !== null ? ` (it exited with ${proc.exitCode})` : ` within ${timeoutMs} ms`}:\n${out}`);
  }
  return {
    url: runtime.url,
    pid: proc.pid!,
    home,
    token: fs.readFileSync(path.join(home, 'admin.token'), 'utf8').trim(),
    output: () => out,
    async stop() {
      let code = proc.exitCode;
      if (code === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        code = await exited;
        clearTimeout(timer);
      }
      fs.rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}
