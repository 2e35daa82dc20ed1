import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

let clockTicks: number | undefined;

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/**
 * On a machine with two or more CPUs, the load generator gets CPU 0 and every server CPU 1, so
 * neither side of a comparison shares its core with the client. BENCH_PIN=0 turns this off.
 */
export const pinning = (() => {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || os.availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pin a process and all its threads to one CPU; threads and children made later inherit it. */
export function pin(pid: number, cpu: number): void {
  if (pinning) execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}
export const CLIENT_CPU = 0;
export const SERVER_CPU = 1;

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/**
 * Start `node <args>` and wait (bounded) for its first stdout line, parsed as JSON: the baseline
 * servers announce their port that way.
 */
export async function spawnNode<T>(args: string[], timeoutMs = 10_000): Promise<Child & { ready: T }> {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node ${args.join(' ')} did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      // The rest of stdout belongs to whoever talks to the child next.
      proc.stdout!.off('data', onData);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as T);
      } catch (e) {
        reject(e as Error);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited with ${code}: ${err}`));
    });
  }).catch((e: unknown) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return { proc, pid: proc.pid!, ready, stop: () => stopChild(proc, exited) };
}

/** An idle `node` process: the runtime's own memory floor. */
export async function spawnIdleNode(): Promise<Child> {
  const script = 'setInterval(() => {}, 1 << 30); process.stdout.write("{}\\n");';
  return spawnNode<unknown>(['-e', script]);
}

async function stopChild(proc: ChildProcess, exited: Promise<void>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
