import { spawn } from 'node:child_process';
import { cpuSince, reapedChildrenCpu, type CpuTimes } from './cpu.js';
import { pinning } from './proc.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** spawn() to 'close', ms. */
  wallMs: number;
  /** CPU of the command and everything it ran. */
  cpu: CpuTimes;
}

/**
 * Run a command to completion, bounded (SIGKILL after `timeoutMs`). `cpu`: run it pinned to that
 * CPU from its first instruction (`taskset -c`, when the bench pins); otherwise it inherits the
 * bench's own CPU (the load generator's). No other child of the bench may exit meanwhile, or its
 * CPU would be counted too.
 */
export async function runCommand(argv: string[], opts: { timeoutMs: number; cpu?: number }): Promise<CommandResult> {
  const full = opts.cpu !== undefined && pinning ? ['taskset', '-c', String(opts.cpu), ...argv] : argv;
  const cpu0 = reapedChildrenCpu();
  const t0 = performance.now();
  const proc = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (c, signal) => resolve(signal ? null : c));
  }).finally(() => clearTimeout(timer));
  const wallMs = performance.now() - t0;
  if (code === null) throw new Error(`${argv.join(' ')}: killed after ${opts.timeoutMs} ms (or by a signal): ${stderr.slice(-500)}`);
  return { code, stdout, stderr, wallMs, cpu: cpuSince(cpu0, reapedChildrenCpu()) };
}
