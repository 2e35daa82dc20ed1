import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Transfer, TransferCreate, TransferState } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import { EndpointError, type Endpoint } from './endpoints.js';
import { toTransfer, type TransferRow, type TransferStore } from './transfer-store.js';

const PROGRESS_EVERY_MS = 250;
const SAVE_EVERY_MS = 1000;
const SAMPLE_EVERY_MS = 100;
const MAX_BACKOFF_MS = 30_000;

interface Running {
  ac: AbortController;
  /** Bytes at times, for the rate over the last few seconds. */
  samples: { at: number; bytes: number }[];
  lastEvent: number;
  lastSave: number;
}

export interface TransferDeps {
  store: TransferStore;
  local: Endpoint;
  /** The endpoint of a paired peer (throws peer-not-found), and its node id and name. */
  peer: (ref: string) => { endpoint: Endpoint; nodeId: string; name: string };
  bus: EventBus;
  clock: Clock;
  log: Logger;
  config: Config['files'];
}

/**
 * The daemon moves files itself: a transfer is a row that survives the CLI going away and the
 * daemon restarting. Each attempt resumes into the receiver's upload from the offset it really
 * has, after checking that prefix against the sender's; failures of the link are retried with
 * backoff until files.retryForMs passes without progress.
 */
export class TransferService {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: TransferDeps) {}

  start(req: TransferCreate): Transfer {
    const peer = req.peer !== undefined ? this.deps.peer(req.peer) : undefined;
    const row = this.deps.store.insert({
      id: crypto.randomBytes(8).toString('hex'),
      direction: req.direction,
      peer_id: peer?.nodeId ?? null,
      peer_name: peer?.name ?? null,
      source: req.source,
      destination: req.destination,
      force: req.force ? 1 : 0,
      parents: req.parents ? 1 : 0,
      created_at: this.deps.clock.now(),
    });
    const t = toTransfer(row);
    this.deps.bus.publish('transfer.started', { transfer: t });
    void this.run(row.id);
    return t;
  }

  /** On start: pick up every transfer that was running when the daemon stopped. */
  resumeAll(): number {
    const rows = this.deps.store.running();
    for (const r of rows) void this.run(r.id);
    return rows.length;
  }

  get(id: string): Transfer {
    const row = this.deps.store.get(id);
    if (!row) throw new ApiError('transfer-not-found', `no transfer "${id}"`, { id });
    return toTransfer(row, this.rate(id));
  }

  list(state: TransferState | undefined, limit = 100): Transfer[] {
    return this.deps.store.list(state, limit).map((r) => toTransfer(r, this.rate(r.id)));
  }

  cancel(id: string): Transfer {
    const t = this.get(id);
    const r = this.running.get(id);
    if (!r) throw new ApiError('job-not-running', `transfer "${id}" is ${t.state}`, { id, state: t.state });
    r.ac.abort();
    return t;
  }

  /** Stop every running transfer (shutdown): they stay `running` in the table and resume at the next start. */
  async stop(): Promise<void> {
    for (const r of this.running.values()) r.ac.abort(new Error('shutdown'));
    const deadline = this.deps.clock.now() + 5_000;
    while (this.running.size > 0 && this.deps.clock.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private rate(id: string): number {
    const s = this.running.get(id)?.samples;
    if (!s || s.length < 2) return 0;
    const first = s[0]!;
    const last = s[s.length - 1]!;
    return last.at > first.at ? Math.round(((last.bytes - first.bytes) * 1000) / (last.at - first.at)) : 0;
  }

  private endpoints(row: TransferRow): { src: Endpoint; dst: Endpoint } {
    const remote = row.peer_id ? this.deps.peer(row.peer_id).endpoint : this.deps.local;
    return row.direction === 'push' ? { src: this.deps.local, dst: remote } : { src: remote, dst: this.deps.local };
  }

  private async run(id: string): Promise<void> {
    if (this.running.has(id)) return;
    const r: Running = { ac: new AbortController(), samples: [], lastEvent: 0, lastSave: 0 };
    this.running.set(id, r);
    let delay = 1000;
    let lastProgress = this.deps.clock.now();
    let bytesAtLastFailure = -1;
    try {
      for (;;) {
        let row = this.deps.store.get(id)!;
        try {
          const ends = this.endpoints(row);
          row = this.deps.store.update(id, { attempts: row.attempts + 1, updated_at: this.deps.clock.now() });
          await this.attempt(row, ends, r);
          return;
        } catch (err) {
          const e = err instanceof EndpointError ? err : err instanceof ApiError ? new EndpointError(err.code, err.message, false, err.details) : new EndpointError('peer-unreachable', (err as Error).message, true);
          if (r.ac.signal.aborted) return this.end(id, r.ac.signal.reason instanceof Error && r.ac.signal.reason.message === 'shutdown' ? null : 'canceled');
          const now = this.deps.clock.now();
          const bytes = this.deps.store.get(id)!.bytes;
          if (bytes > bytesAtLastFailure) {
            lastProgress = now;
            delay = 1000;
          }
          bytesAtLastFailure = bytes;
          if (!e.retryable) return this.end(id, 'failed', e);
          if (now - lastProgress > this.deps.config.retryForMs) return this.end(id, 'failed', new EndpointError(e.code, `gave up after ${Math.round((now - lastProgress) / 1000)} s without progress: ${e.message}`, false));
          this.deps.log.info('transfer interrupted; retrying', { id, inMs: delay, err: e });
          await new Promise((resolve) => {
            const t = setTimeout(resolve, delay);
            r.ac.signal.addEventListener('abort', () => (clearTimeout(t), resolve(undefined)), { once: true });
          });
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        }
      }
    } finally {
      this.running.delete(id);
    }
  }

  /** One try: find or make the receiver's upload, check the prefix, send the rest, commit. */
  private async attempt(row: TransferRow, { src, dst }: { src: Endpoint; dst: Endpoint }, r: Running): Promise<void> {
    const signal = r.ac.signal;
    const st = await src.stat(row.source);
    if (!st) throw new EndpointError('path-not-found', `${row.source} does not exist on ${src.label}`, false);
    if (st.type !== 'file' && st.type !== 'dir') throw new EndpointError('not-a-file', `${row.source} on ${src.label} is a ${st.type}: only files and directories travel`, false);
    const kind = st.type === 'file' ? 'file' : 'archive';
    let finalPath = row.final_path;
    if (!finalPath) {
      // As cp does: an existing directory as the destination means "inside it".
      const there = await dst.stat(row.destination);
      finalPath = there?.type === 'dir' ? path.posix.join(row.destination, path.posix.basename(row.source.replace(/\/+$/, ''))) : row.destination;
      row = this.deps.store.update(row.id, { final_path: finalPath, kind, total: kind === 'file' ? st.size : null });
    }
    let up = row.upload_id ? await dst.uploadState(row.upload_id) : null;
    if (up && up.state !== 'open') up = null;
    if (up && up.offset > 0) {
      // Resume only onto bytes that are really the sender's: compare the prefix hashes.
      const mine = await src.stat(row.source, up.offset).catch(() => null);
      if (!mine || mine.prefixSha256 !== up.prefixSha256) {
        this.deps.log.info('the receiver has different bytes than the sender: starting over', { id: row.id, offset: up.offset });
        await dst.abort(up.id);
        up = null;
      }
    }
    if (!up) {
      up = await dst.createUpload({
        path: finalPath,
        kind,
        ...(kind === 'file' ? { size: st.size, mode: st.mode & 0o777, mtime: st.mtime } : {}),
        ...(row.force ? { force: true } : {}),
        ...(row.parents ? { parents: true } : {}),
      });
      row = this.deps.store.update(row.id, { upload_id: up.id, bytes: 0 });
    }
    const read = await src.read(kind, row.source, up.offset, signal);
    const counted = this.count(row.id, up.offset, row.total, read.stream, r);
    let state;
    try {
      state = await dst.append(up.id, up.offset, counted, signal);
      const failed = read.failure();
      if (failed) throw failed;
    } catch (err) {
      // The source broke the stream (and so the upload): report why, not the broken stream.
      throw read.failure() ?? err;
    } finally {
      read.destroy();
    }
    const sha256 = read.sha256();
    if (sha256 === undefined || (kind === 'file' && state.offset !== st.size)) {
      throw new EndpointError('peer-unreachable', `the stream ended early at byte ${state.offset}`, true);
    }
    const done = await dst.commit(up.id, { size: state.offset, sha256 });
    this.deps.store.update(row.id, { bytes: done.size, total: done.size, sha256: done.sha256, final_path: done.path });
    this.end(row.id, 'done');
  }

  /** Pass the bytes on, counting them: progress events (throttled), the row saved now and then. */
  private count(id: string, start: number, total: number | null, source: AsyncIterable<Buffer>, r: Running): AsyncIterable<Buffer> {
    const { store, bus, clock } = this.deps;
    const rate = () => this.rate(id);
    return (async function* () {
      let bytes = start;
      for await (const chunk of source) {
        if (r.ac.signal.aborted) throw new Error('canceled');
        yield chunk;
        bytes += chunk.length;
        const now = clock.now();
        // A sample per 100 ms, not per chunk: thousands of live objects a second would pile up
        // in the old generation of a daemon that is meant to stay small while moving gigabytes.
        const last = r.samples[r.samples.length - 1];
        if (last && now - last.at < SAMPLE_EVERY_MS) last.bytes = bytes;
        else r.samples.push({ at: now, bytes });
        while (r.samples.length > 2 && now - r.samples[0]!.at > 3000) r.samples.shift();
        if (now - r.lastSave >= SAVE_EVERY_MS) {
          r.lastSave = now;
          store.update(id, { bytes, updated_at: now });
        }
        if (now - r.lastEvent >= PROGRESS_EVERY_MS) {
          r.lastEvent = now;
          bus.publish('transfer.progress', { id, bytes, total, rate: rate() });
        }
      }
      store.update(id, { bytes, updated_at: clock.now() });
    })();
  }

  /** Record the end (null: a shutdown — the row stays running and resumes at the next start). */
  private end(id: string, state: Exclude<TransferState, 'running'> | null, err?: EndpointError): void {
    if (state === null) return;
    const now = this.deps.clock.now();
    const row = this.deps.store.update(id, {
      state,
      ended_at: now,
      updated_at: now,
      error_code: err?.code ?? (state === 'canceled' ? 'canceled' : null),
      error_message: err?.message ?? (state === 'canceled' ? 'canceled by a local client' : null),
    });
    if (state !== 'done' && row.upload_id) {
      // Do not leave the receiver's temporary file behind for a transfer that will not resume.
      try {
        void this.endpoints(row)
          .dst.abort(row.upload_id)
          .catch(() => undefined);
      } catch {
        // the peer is gone (unpaired): its stale upload is swept there after files.staleUploadHours
      }
    }
    this.deps.bus.publish('transfer.finished', { transfer: toTransfer(row) });
  }
}
