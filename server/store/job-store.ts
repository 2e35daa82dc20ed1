import type { Statement } from 'better-sqlite3';
import type { Job, JobStatus, JobSummary } from '../protocol/index.js';
import type { DB } from './db.js';
import { iso, isoOrNull } from '../util/time.js';

export interface JobRow {
  seq: number;
  id: string;
  argv: string | null;
  shell: string | null;
  cwd: string;
  env_keys: string;
  principal: string;
  status: JobStatus;
  exit_code: number | null;
  signal: string | null;
  timeout_ms: number;
  created_at: number;
  ended_at: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: number;
  stderr_truncated: number;
  error_code: string | null;
  error_message: string | null;
  pid: number | null;
  pid_start: string | null;
}

export type NewJob = Pick<JobRow, 'id' | 'argv' | 'shell' | 'cwd' | 'env_keys' | 'principal' | 'timeout_ms' | 'created_at' | 'pid' | 'pid_start'>;
export type JobEnd = Pick<
  JobRow,
  'id' | 'pid' | 'pid_start' | 'status' | 'exit_code' | 'signal' | 'ended_at' | 'stdout' | 'stderr' | 'stdout_truncated' | 'stderr_truncated' | 'error_code' | 'error_message'
>;


export function toSummary(r: JobRow): JobSummary {
  return {
    id: r.id,
    argv: r.argv === null ? null : (JSON.parse(r.argv) as string[]),
    shell: r.shell,
    cwd: r.cwd,
    principal: r.principal,
    status: r.status,
    exitCode: r.exit_code,
    signal: r.signal,
    timeoutMs: r.timeout_ms,
    createdAt: iso(r.created_at),
    endedAt: isoOrNull(r.ended_at),
    durationMs: r.ended_at === null ? null : r.ended_at - r.created_at,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  };
}

export function toJob(r: JobRow): Job {
  return { ...toSummary(r), stdout: r.stdout, stderr: r.stderr, stdoutTruncated: r.stdout_truncated === 1, stderrTruncated: r.stderr_truncated === 1 };
}

const SUMMARY_COLS = 'pid, pid_start, seq, id, argv, shell, cwd, env_keys, principal, status, exit_code, signal, timeout_ms, created_at, ended_at, error_code, error_message';

export class JobStore {
  private readonly s: Record<'insert' | 'finish' | 'get' | 'list' | 'markLost' | 'orphans', Statement>;

  constructor(private readonly db: DB) {
    this.s = {
      insert: db.prepare(`INSERT INTO jobs (id, argv, shell, cwd, env_keys, principal, status, timeout_ms, created_at, pid, pid_start)
        VALUES (@id, @argv, @shell, @cwd, @env_keys, @principal, 'running', @timeout_ms, @created_at, @pid, @pid_start) RETURNING *`),
      finish: db.prepare(`UPDATE jobs SET status = @status, exit_code = @exit_code, signal = @signal, ended_at = @ended_at,
        stdout = @stdout, stderr = @stderr, stdout_truncated = @stdout_truncated, stderr_truncated = @stderr_truncated,
        error_code = @error_code, error_message = @error_message, pid = @pid, pid_start = @pid_start WHERE id = @id RETURNING *`),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      list: db.prepare(`SELECT ${SUMMARY_COLS}, '' AS stdout, '' AS stderr, 0 AS stdout_truncated, 0 AS stderr_truncated FROM jobs
        WHERE (@status IS NULL OR status = @status) AND (@principal IS NULL OR principal = @principal) AND seq < @before
        ORDER BY seq DESC LIMIT @limit`),
      orphans: db.prepare("SELECT id, pid, pid_start FROM jobs WHERE status = 'running' AND pid IS NOT NULL"),
      markLost: db.prepare(`UPDATE jobs SET status = 'lost', ended_at = @now, error_code = 'daemon-stopped',
        error_message = 'the daemon stopped while this job ran; its output was not saved', pid = NULL, pid_start = NULL
        WHERE status = 'running'`),
    };
  }

  insert(j: NewJob): JobRow {
    return this.s.insert.get(j) as JobRow;
  }
  finish(end: JobEnd): JobRow {
    return this.s.finish.get(end) as JobRow;
  }
  get(id: string): JobRow | undefined {
    return this.s.get.get(id) as JobRow | undefined;
  }
  list(status: JobStatus | null, before: number, limit: number, principal: string | null = null): JobRow[] {
    return this.s.list.all({ status, before, limit, principal }) as JobRow[];
  }
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
  /** Jobs a crashed daemon left running, with the process group each one had. */
  orphans(): { id: string; pid: number; pid_start: string | null }[] {
    return this.s.orphans.all() as { id: string; pid: number; pid_start: string | null }[];
  }
  /** After a crash, jobs still marked running did not finish under our watch. */
  markLost(now: number): number {
    return this.s.markLost.run({ now }).changes;
  }
}
