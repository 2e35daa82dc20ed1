import { DAEMON_NODE_FLAGS } from '../../server/node-flags.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readRuntime } from '../../server/client/local.js';
import type { HomePaths } from '../../server/protocol/home.js';
import { CliError } from '../errors.js';
import { mainScript } from '../version.js';
import { probeHealth, pollUntil, tailFile } from './daemon.js';

export const READY_TIMEOUT_MS = 15_000;

/** Where a detached daemon's raw stdout/stderr go (a crash before its logger is up lands here). */
export const stdioLogPath = (paths: HomePaths) => path.join(paths.logDir, 'daemon.out');

/**
 * Launch `ferry start` again as a detached process, logging to the data dir, and wait until it
 * has written daemon.json with its own pid and answers /health. A child that dies first is reported
 * with the end of its log; one that never gets ready is stopped rather than left behind.
 */
export async function startDetached(
  paths: HomePaths,
  startArgs: string[],
  timeoutMs = READY_TIMEOUT_MS,
): Promise<{ pid: number; url: string }> {
  // Create the data dir ourselves with the daemon's mode: mkdir -p for logs/ would make it 0755.
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  fs.mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });
  const outFile = stdioLogPath(paths);
  // The daemon keeps its own rotated daemon.log; this file only catches what escapes the logger
  // (a crash before it is up), so one previous run is kept and no more.
  if (fs.existsSync(outFile)) fs.renameSync(outFile, `${outFile}.1`);
  const fd = fs.openSync(outFile, 'w', 0o600);

  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, mainScript(), '--home', paths.home, 'start', ...startArgs], {
    detached: true,
    stdio: ['ignore', fd, fd],
    windowsHide: true,
  });
  fs.closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) {
    throw new CliError('start-failed', 'could not launch the daemon process', { hint: `see ${outFile}` });
  }
  let exited: ChildExit | null = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  type Outcome = { up: true; url: string } | { up: false; exit: ChildExit };
  const ready = await pollUntil(
    async (): Promise<Outcome | undefined> => {
      if (exited) return { up: false, exit: exited };
      const runtime = readRuntime(paths.home);
      if (!runtime || runtime.pid !== pid) return undefined;
      return (await probeHealth(runtime.url, 1000)) ? { up: true, url: runtime.url } : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );

  if (ready?.up) {
    child.unref();
    return { pid, url: ready.url };
  }
  if (!ready) child.kill('SIGTERM');
  const logTail = tailFile(outFile, 20);
  const how = ready ? describeExit(ready.exit) : `did not become ready within ${Math.round(timeoutMs / 1000)} s and was stopped`;
  throw new CliError(ready ? 'start-failed' : 'start-timeout', `the daemon ${how}`, {
    hint: `see the log: ${outFile}${logTail ? ` — its last lines:\n${logTail}` : ''}`,
    details: { pid, logFile: outFile, logTail },
  });
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function describeExit(e: ChildExit): string {
  return e.signal ? `was killed by ${e.signal} while starting` : `exited with code ${e.code} while starting`;
}
