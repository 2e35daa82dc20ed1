import type { ExecRequest, FerryEvent, Job, JobSummary } from '$ferry/protocol/index.js';
import { api, describeError } from '../api.js';
import { live } from '../live.svelte.js';
import { appendOutput, emptyOutput, mergeLive, outputFromJob, type Chunk, type JobOutput } from './output.js';

const LIST_LIMIT = 50;
/** Output is kept for this many jobs; older ones are fetched again when selected. */
const MAX_TRACKED = 20;

/** Drop the output fields so a Job (or a finished-job event) fits the list. */
function toSummary(job: JobSummary): JobSummary {
  const { id, argv, shell, cwd, principal, status, exitCode, signal, timeoutMs, createdAt, endedAt, durationMs, error } = job;
  return { id, argv, shell, cwd, principal, status, exitCode, signal, timeoutMs, createdAt, endedAt, durationMs, error };
}

/**
 * Recent jobs and their output, kept live from the event stream. It outlives the Jobs page so
 * output keeps arriving while the user looks at another page.
 */
class JobsStore {
  list = $state<JobSummary[]>([]);
  loaded = $state(false);
  listError = $state<string | null>(null);
  selectedId = $state<string | null>(null);
  outputs = $state<Record<string, JobOutput>>({});
  selected = $derived(this.list.find((j) => j.id === this.selectedId));

  private attached = false;
  /** Live chunks that arrive while a job's snapshot is being fetched. */
  private readonly pending = new Map<string, Chunk[]>();

  attach(): void {
    if (this.attached) return;
    this.attached = true;
    live.on((event) => this.onEvent(event));
    live.onResync(() => void this.resync());
    void this.refresh();
  }

  /** Forget everything (sign-out). */
  reset(): void {
    this.list = [];
    this.loaded = false;
    this.selectedId = null;
    this.outputs = {};
    this.pending.clear();
  }

  async refresh(): Promise<void> {
    try {
      const page = await api.jobs({ limit: LIST_LIMIT });
      this.list = page.items;
      this.listError = null;
    } catch (err) {
      this.listError = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** Start a job without waiting for it: its output arrives as job.output events. */
  async run(req: Omit<ExecRequest, 'wait'>): Promise<Job> {
    const job = await api.exec({ ...req, wait: false });
    this.upsert(job);
    this.selectedId = job.id;
    if (!this.outputs[job.id]) {
      // Nothing printed yet means every byte is still to come as events; otherwise catch up.
      const stillRunning = this.list.find((j) => j.id === job.id)?.status === 'running';
      if (stillRunning && job.stdout === '' && job.stderr === '') this.track(job.id, emptyOutput(true));
      else void this.sync(job.id);
    }
    return job;
  }

  async select(id: string): Promise<void> {
    this.selectedId = id;
    const out = this.outputs[id];
    if (out && !out.error) return;
    await this.sync(id);
  }

  async cancel(id: string): Promise<void> {
    const job = await api.cancelJob(id);
    this.upsert(job);
  }

  private onEvent(event: FerryEvent): void {
    switch (event.type) {
      case 'job.started':
        this.upsert(event.data.job);
        if (!this.outputs[event.data.job.id]) this.track(event.data.job.id, emptyOutput(true));
        break;
      case 'job.output': {
        const { jobId, stream, data } = event.data;
        const buffer = this.pending.get(jobId);
        if (buffer) buffer.push({ stream, data });
        else if (this.outputs[jobId]) appendOutput(this.outputs[jobId], stream, data);
        break;
      }
      case 'job.finished':
        this.upsert(event.data.job);
        if (this.outputs[event.data.job.id]) void this.reconcile(event.data.job.id);
        break;
    }
  }

  /** Replace a job's output with the daemon's copy, plus whatever arrives meanwhile. */
  private async sync(id: string): Promise<void> {
    const existing = this.outputs[id];
    if (existing) existing.loading = true;
    else this.track(id, { ...emptyOutput(false), loading: true });
    this.pending.set(id, []);
    try {
      const job = await api.job(id);
      this.upsert(job);
      const out = outputFromJob(job);
      mergeLive(out, job, this.pending.get(id) ?? []);
      this.track(id, out);
    } catch (err) {
      this.track(id, { ...emptyOutput(false), error: describeError(err) });
    } finally {
      this.pending.delete(id);
    }
  }

  /**
   * A job ended: check what we showed against the daemon's stored copy. Live output wins when it
   * matches (it keeps stdout and stderr interleaved); anything else means we missed something.
   */
  private async reconcile(id: string): Promise<void> {
    const out = this.outputs[id];
    if (!out) return;
    let job: Job;
    try {
      job = await api.job(id);
    } catch {
      return;
    }
    const current = this.outputs[id];
    if (!current || this.pending.has(id)) return;
    const complete = current.fromStart && !current.trimmed && current.received.stdout === job.stdout.length && current.received.stderr === job.stderr.length;
    if (complete) current.truncated = job.stdoutTruncated || job.stderrTruncated;
    else this.track(id, outputFromJob(job));
  }

  /** After a reconnect: the list and any running output may have gaps. */
  private async resync(): Promise<void> {
    await this.refresh();
    for (const id of Object.keys(this.outputs)) {
      const job = this.list.find((j) => j.id === id);
      if (job?.status !== 'running') continue;
      if (id === this.selectedId) void this.sync(id);
      else delete this.outputs[id];
    }
  }

  private track(id: string, out: JobOutput): void {
    this.outputs[id] = out;
    const ids = Object.keys(this.outputs);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_TRACKED))) {
      if (old !== this.selectedId) delete this.outputs[old];
    }
  }

  private upsert(job: JobSummary): void {
    const row = toSummary(job);
    const index = this.list.findIndex((j) => j.id === row.id);
    // A job only ever moves from running to an end state. HTTP answers and socket events race,
    // so a "running" answer (from exec or cancel) may arrive after the job.finished event.
    if (index >= 0 && row.status === 'running' && this.list[index]?.status !== 'running') return;
    if (index >= 0) this.list[index] = row;
    else this.list = [row, ...this.list].slice(0, LIST_LIMIT * 2);
  }
}

export const jobs = new JobsStore();
