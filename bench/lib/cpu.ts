import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | undefined;

/** User and system CPU seconds, from /proc/<pid>/stat. */
export interface CpuTimes {
  user: number;
  sys: number;
}

/** Fields 14 and 15 of a stat file (utime, stime), or 16 and 17 (cutime, cstime) with first = 13. */
function statTimes(file: string, first: number): CpuTimes {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = fs.readFileSync(file, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[first]) / clockTicks, sys: Number(fields[first + 1]) / clockTicks };
}

/** A process's own CPU so far, split: user (JS, hashing, TLS) and system (the kernel's copies, I/O submission). */
export const cpuTimesOf = (pid: number): CpuTimes => statTimes(`/proc/${pid}/stat`, 11);

/**
 * CPU of this process's children that have exited and been waited for (cutime, cstime: they
 * include their own reaped children). Read before and after a command run to completion, it is
 * that command's CPU, start-up included.
 */
export const reapedChildrenCpu = (): CpuTimes => statTimes('/proc/self/stat', 13);

export const cpuSince = (t0: CpuTimes, t1: CpuTimes): CpuTimes => ({ user: t1.user - t0.user, sys: t1.sys - t0.sys });

/**
 * A process's CPU split by thread: its main thread (the event loop: JS, hashing, TLS, stream
 * plumbing) and all the others (libuv's pool doing the file reads, writes and fsyncs; V8's GC
 * helpers). A thread that has exited is no longer listed: read it before the process stops.
 */
export function threadCpuOf(pid: number): { main: CpuTimes; others: CpuTimes } {
  const others: CpuTimes = { user: 0, sys: 0 };
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      const t = statTimes(`/proc/${pid}/task/${tid}/stat`, 11);
      others.user += t.user;
      others.sys += t.sys;
    } catch {
      // the thread ended meanwhile
    }
  }
  return { main: statTimes(`/proc/${pid}/task/${pid}/stat`, 11), others };
}

export type ThreadCpu = ReturnType<typeof threadCpuOf>;

/** CPU a process used since `t0`, as `<label> main` (its event loop) and `<label> threads` (the rest). */
export function threadCpuSince(label: string, pid: number, t0: ThreadCpu): Record<string, CpuTimes> {
  const t1 = threadCpuOf(pid);
  return { [`${label} main`]: cpuSince(t0.main, t1.main), [`${label} threads`]: cpuSince(t0.others, t1.others) };
}
