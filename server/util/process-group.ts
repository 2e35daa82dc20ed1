import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** A process's start time in clock ticks since boot (Linux /proc), or null where unavailable. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * After a crash: SIGKILL the process group a child led, only if that pid is provably the same
 * process (its start time matches what was stored), never a reused pid. True when it was killed.
 */
export function killOrphanGroup(pid: number, pidStart: string | null): boolean {
  if (pidStart === null || processStartTime(pid) !== pidStart) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false; // already gone
  }
}

/**
 * Signal a detached child's whole process group (so grandchildren get it too). A group that is
 * already gone is not an error; any other failure is returned for the caller to log.
 */
export function signalGroup(child: ChildProcess, sig: NodeJS.Signals): Error | null {
  const pid = child.pid;
  if (pid === undefined) return null;
  try {
    if (process.platform === 'win32') child.kill(sig);
    else process.kill(-pid, sig);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? null : (err as Error);
  }
}
