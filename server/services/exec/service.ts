import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import type { Config } from '../../config.js';
import type { EventBus } from '../../events/bus.js';
import { ApiError } from '../../http/errors.js';
import type { Logger } from '../../log.js';
import type { ExecRequest, FerryEvent, Job, JobPage, JobStatus, OutputStream } from '../../protocol/index.js';
import { toJob, toSummary, type JobRow, type JobStore } from '../../store/job-store.js';
import type { Clock } from '../clock.js';
import { Capture } from './capture.js';
import { resolveCwd, resolveProgram } from './resolve.js';
import { killOrphanGroup, processStartTime, signalGroup } from '../../util/process-group.js';

export type JobListener = (item: { type: 'output'; stream: OutputStream; data: string } | { type: 'exit'; job: Job }) => void;
type StopReason = 'canceled' | 'timed-out' | 'interrupted';

interface Running {
  row: JobRow;
  child: ChildProcess;
  out: Record<OutputStream, Capture>;
  listeners: Set<JobListener>;
  done: Promise<Job>;
  stopReason?: StopReason;
  spawnError?: Error;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  timers: NodeJS.Timeout[];
  flushTimer?: NodeJS.Timeout;
}

/** Coalesce output into events at most this often, so a chatty program cannot flood the bus. */
const FLUSH_MS = 25;
const FLUSH_BYTES = 32 * 1024;

/**
 * Runs commands as jobs: argv without a shell unless a shell is asked for; each job in its own
 * process group so cancel and timeout reach grandchildren; output capped; every job persisted.
 * Over the concurrency cap the answer is 429 with Retry-After (no hidden queue).
 */
export class ExecService {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly store: JobStore,
    private readonly bus: EventBus,
    private readonly config: Config['exec'],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Jobs that were running when the daemon last died: their process groups may still be running,
   * orphaned. Kill each one that is provably the same process (pid AND start time match), then
   * mark the jobs lost.
   */
  recover(): number {
    for (const o of this.store.orphans()) {
      if (killOrphanGroup(o.pid, o.pid_start)) this.log.warn('killed the process group of a job left by a crashed daemon', { jobId: o.id, pid: o.pid });
    }
    return this.store.markLost(this.clock.now());
  }

  get runningCount(): number {
    return this.running.size;
  }

  start(req: ExecRequest, principal: string): { job: Job; done: Promise<Job> } {
    if (this.running.size >= this.config.maxConcurrent) {
      throw new ApiError('too-many-jobs', `${this.running.size} jobs are running, the limit (exec.maxConcurrent); retry when one ends`, { limit: this.config.maxConcurrent }, { 'retry-after': '1' });
    }
    const timeoutMs = req.timeoutMs ?? this.config.defaultTimeoutMs;
    if (timeoutMs > this.config.maxTimeoutMs) {
      throw new ApiError('validation-failed', `timeoutMs ${timeoutMs} is above the limit ${this.config.maxTimeoutMs} (exec.maxTimeoutMs)`, [
        { path: 'timeoutMs', message: `at most ${this.config.maxTimeoutMs}` },
      ]);
    }
    const cwd = resolveCwd(req.cwd ?? os.homedir());
    const env = { ...process.env, ...req.env };
    const [file, args] = req.argv ? [resolveProgram(req.argv[0]!, cwd, env.PATH), req.argv.slice(1)] : ['/bin/sh', ['-c', req.shell!]];

    const child = spawn(file, args, {
      cwd,
      env,
      // A process group of its own (setsid): signals to -pid reach everything it starts.
      detached: true,
      stdio: [req.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      argv0: req.argv?.[0],
      windowsHide: true,
    });
    // The row (with the pid, so a crash cannot orphan the process unnoticed) and its event: one commit.
    let started!: FerryEvent;
    const row = this.store.transaction(() => {
      const inserted = this.store.insert({
        id: crypto.randomBytes(8).toString('hex'),
        argv: req.argv ? JSON.stringify(req.argv) : null,
        shell: req.shell ?? null,
        cwd,
        env_keys: JSON.stringify(Object.keys(req.env ?? {})),
        principal,
        timeout_ms: timeoutMs,
        created_at: this.clock.now(),
        pid: child.pid ?? null,
        pid_start: child.pid === undefined ? null : processStartTime(child.pid),
      });
      started = this.bus.record('job.started', { job: toSummary(inserted) });
      return inserted;
    });
    let resolveDone!: (j: Job) => void;
    const r: Running = {
      row,
      child,
      out: { stdout: new Capture(this.config.outputCapBytes), stderr: new Capture(this.config.outputCapBytes) },
      listeners: new Set(),
      done: new Promise<Job>((res) => (resolveDone = res)),
      timers: [],
    };
    this.running.set(row.id, r);

    if (req.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the program may exit without reading: EPIPE is not our error
      child.stdin.end(req.stdin);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (chunk: Buffer) => {
        if (r.out[stream].push(chunk)) this.scheduleFlush(r);
      });
    }
    child.on('error', (err) => {
      r.spawnError = err;
      // No process came to be: 'close' may never fire.
      if (child.pid === undefined) this.finish(r, resolveDone);
    });
    child.on('exit', (code, signal) => (r.exit = { code, signal }));
    child.on('close', () => this.finish(r, resolveDone));
    r.timers.push(setTimeout(() => this.stop(r, 'timed-out'), timeoutMs));

    this.bus.dispatch(started);
    return { job: this.view(r), done: r.done };
  }

  private scheduleFlush(r: Running) {
    const pending = r.out.stdout.text.length - r.out.stdout.flushed + r.out.stderr.text.length - r.out.stderr.flushed;
    if (pending >= FLUSH_BYTES) return this.flush(r);
    r.flushTimer ??= setTimeout(() => this.flush(r), FLUSH_MS);
  }

  private flush(r: Running) {
    if (r.flushTimer) clearTimeout(r.flushTimer);
    r.flushTimer = undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      const data = r.out[stream].takePending();
      if (!data) continue;
      this.bus.publish('job.output', { jobId: r.row.id, stream, data });
      for (const l of r.listeners) l({ type: 'output', stream, data });
    }
  }

  private finish(r: Running, resolve: (j: Job) => void) {
    if (!this.running.has(r.row.id)) return;
    this.running.delete(r.row.id);
    for (const t of r.timers) clearTimeout(t);
    r.out.stdout.end();
    r.out.stderr.end();
    this.flush(r);

    const { code, signal } = r.exit ?? { code: null, signal: null };
    let status: JobStatus;
    let error: { code: string; message: string } | null = null;
    if (r.spawnError) {
      status = 'failed';
      error = { code: 'spawn-failed', message: `could not start the program: ${r.spawnError.message}` };
    } else if (r.stopReason) {
      status = r.stopReason;
      if (r.stopReason === 'timed-out') error = { code: 'timed-out', message: `stopped after ${r.row.timeout_ms} ms (timeoutMs)` };
    } else {
      status = code === 0 ? 'succeeded' : 'failed';
    }
    let finished!: FerryEvent;
    const row = this.store.transaction(() => {
      const ended = this.store.finish({
      id: r.row.id,
      pid: null,
      pid_start: null,
      status,
      exit_code: code,
      signal,
      ended_at: this.clock.now(),
      stdout: r.out.stdout.text,
      stderr: r.out.stderr.text,
      stdout_truncated: r.out.stdout.truncated ? 1 : 0,
      stderr_truncated: r.out.stderr.truncated ? 1 : 0,
      error_code: error?.code ?? null,
      error_message: error?.message ?? null,
      });
      const { stdout: _o, stderr: _e, ...withoutOutput } = toJob(ended);
      finished = this.bus.record('job.finished', { job: withoutOutput });
      return ended;
    });
    this.bus.dispatch(finished);
    const job = toJob(row);
    for (const l of r.listeners) l({ type: 'exit', job });
    r.listeners.clear();
    resolve(job);
  }

  /** SIGTERM to the whole process group, then SIGKILL after the grace period. */
  private stop(r: Running, reason: StopReason) {
    r.stopReason ??= reason;
    this.signalGroup(r, 'SIGTERM');
    const t = setTimeout(() => this.signalGroup(r, 'SIGKILL'), this.config.killGraceMs);
    r.timers.push(t);
  }

  private signalGroup(r: Running, sig: NodeJS.Signals) {
    const err = signalGroup(r.child, sig);
    if (err) this.log.warn('could not signal job', { jobId: r.row.id, sig, err });
  }

  cancel(id: string): Job {
    const r = this.running.get(id);
    if (!r) {
      const row = this.store.get(id);
      if (!row) throw new ApiError('job-not-found', `no job "${id}"`, { id });
      throw new ApiError('job-not-running', `job "${id}" is not running (it is ${row.status})`, { id, status: row.status });
    }
    this.stop(r, 'canceled');
    return this.view(r);
  }

  get(id: string): Job {
    const r = this.running.get(id);
    if (r) return this.view(r);
    const row = this.store.get(id);
    if (!row) throw new ApiError('job-not-found', `no job "${id}"`, { id });
    return toJob(row);
  }

  list(opts: { status?: JobStatus | undefined; limit?: number | undefined; before?: number | undefined; principal?: string | undefined }): JobPage & { lastSeq: number | null } {
    const limit = opts.limit ?? 50;
    const rows = this.store.list(opts.status ?? null, opts.before ?? Number.MAX_SAFE_INTEGER, limit + 1, opts.principal ?? null);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return { items: page.map(toSummary), nextCursor: null, lastSeq: more ? page[page.length - 1]!.seq : null };
  }

  /**
   * Follow a job: `onItem` gets what was already announced, then live output, then the exit.
   * Returns an unsubscribe function.
   */
  follow(id: string, onItem: JobListener): () => void {
    const r = this.running.get(id);
    if (!r) {
      const job = this.get(id);
      if (job.stdout) onItem({ type: 'output', stream: 'stdout', data: job.stdout });
      if (job.stderr) onItem({ type: 'output', stream: 'stderr', data: job.stderr });
      onItem({ type: 'exit', job });
      return () => undefined;
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const data = r.out[stream].text.slice(0, r.out[stream].flushed);
      if (data) onItem({ type: 'output', stream, data });
    }
    r.listeners.add(onItem);
    return () => r.listeners.delete(onItem);
  }

  private view(r: Running): Job {
    return {
      ...toSummary(r.row),
      stdout: r.out.stdout.text,
      stderr: r.out.stderr.text,
      stdoutTruncated: r.out.stdout.truncated,
      stderrTruncated: r.out.stderr.truncated,
    };
  }

  /** On shutdown: stop every job (SIGTERM, then SIGKILL) and wait until each is recorded. */
  async shutdown(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) this.stop(r, 'interrupted');
    await Promise.all(all.map((r) => r.done));
  }
}
