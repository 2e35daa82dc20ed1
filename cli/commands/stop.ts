import fs from 'node:fs';
import type { Command } from 'commander';
import { readRuntime } from '../../server/client/local.js';
import { action, type CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { int } from '../options.js';
import { isAlive, pollUntil, probeHealth, readPidFile } from '../lib/daemon.js';

interface StopOptions {
  timeout: number;
}

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop the daemon of this data dir (SIGTERM: it drains, then exits) and wait until it is gone')
    .option('-t, --timeout <seconds>', 'how long to wait for it to exit', int(1, 3600), 20)
    .action(action(stop));
}

async function stop(ctx: CliContext, opts: StopOptions): Promise<number> {
  const pid = readPidFile(ctx.paths);
  if (pid === null) return report(ctx, { stopped: false, reason: 'not-running' }, 'The daemon is not running.');

  if (!isAlive(pid) || !(await looksLikeOurDaemon(ctx, pid))) {
    removeStale(ctx, pid);
    return report(
      ctx,
      { stopped: false, reason: 'stale-pid-file', pid },
      `The daemon is not running (removed a stale pid file naming pid ${pid}).`,
    );
  }

  const started = Date.now();
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') {
      throw new CliError('permission-denied', `not allowed to signal pid ${pid}`, { hint: 'run `ferry stop` as the user running the daemon' });
    }
    // ESRCH: it exited between the check and the signal, which is what we wanted anyway.
  }
  const gone = await pollUntil(() => (isAlive(pid) ? undefined : true), { timeoutMs: opts.timeout * 1000, intervalMs: 100 });
  if (!gone) {
    throw new CliError('stop-timeout', `the daemon (pid ${pid}) is still running after ${opts.timeout} s`, {
      hint: `it may be finishing long jobs: wait, retry with a larger --timeout, or force it with \`kill -9 ${pid}\``,
      details: { pid },
    });
  }
  const waitedMs = Date.now() - started;
  return report(ctx, { stopped: true, pid, waitedMs }, `Stopped the daemon (pid ${pid}) in ${(waitedMs / 1000).toFixed(1)} s.`);
}

/**
 * Guard against pid reuse after a crash: only signal a process that is our daemon. A daemon that
 * answers /health from the pid in daemon.json is; otherwise on Linux the command line tells.
 */
async function looksLikeOurDaemon(ctx: CliContext, pid: number): Promise<boolean> {
  const runtime = readRuntime(ctx.home);
  if (runtime?.pid === pid && (await probeHealth(runtime.url, 1500))) return true;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|ferry/i.test(cmdline);
  } catch {
    return true; // no /proc (macOS, Windows): the live pid from our own pid file is the best we know
  }
}

function removeStale(ctx: CliContext, pid: number): void {
  fs.rmSync(ctx.paths.pid, { force: true });
  if (readRuntime(ctx.home)?.pid === pid) fs.rmSync(ctx.paths.runtime, { force: true });
}

function report(ctx: CliContext, result: Record<string, unknown>, text: string): number {
  if (ctx.json) ctx.out.data(result);
  else ctx.out.line(text);
  return 0;
}
