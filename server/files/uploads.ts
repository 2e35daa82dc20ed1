import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { UploadCommit, UploadDone, UploadState } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import { fsyncDirAsync } from '../util/atomic-file.js';
import { ArchiveError, extractArchive } from './archive.js';
import { fdClose, fdSync, fdWriteAll } from './archive/fd.js';
import type { UploadRow, UploadStore } from './upload-store.js';

const EMPTY_SHA256 = crypto.createHash('sha256').digest('hex');
/**
 * Received chunks are copied into one reused buffer of this size, written when full. A TLS socket
 * hands over ≤ 16 KiB at a time: one thread-pool write per chunk (65,000 per GiB) kept every chunk
 * alive across a round trip, long enough to be promoted out of the young generation, and the
 * receiving daemon spent more CPU in full garbage collections than in the copy. Copied at once,
 * a chunk dies young; the copy itself costs far less.
 */
const WRITE_BUFFER_BYTES = 1 << 20;

const tempDir = (row: UploadRow) => `${row.temp.replace(/\.part$/, '')}.dir`;
const oldDir = (row: UploadRow) => `${row.temp.replace(/\.part$/, '')}.old`;

/** SHA-256 of a file's first `length` bytes, read in chunks. */
async function hashPrefix(file: string, length: number, hash = crypto.createHash('sha256')): Promise<crypto.Hash> {
  if (length === 0) return hash;
  const stream = fs.createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash;
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/**
 * The receiving side of a transfer. Bytes go to a hidden temporary file next to the target; the
 * target appears only at commit, by rename, after the whole content's SHA-256 matched the
 * sender's. The row and the temporary file survive restarts, so a sender can resume from the
 * offset that is really on disk.
 */
export class UploadService {
  /** Running hashes of uploads written in this process (saves re-reading the file at commit). */
  private readonly hashes = new Map<string, { hash: crypto.Hash; offset: number }>();
  private readonly busy = new Set<string>();
  /** Abandoned while a request was still writing them: dropped when that request lets go. */
  private readonly abandoned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: UploadStore,
    private readonly config: Config['files'],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.recover();
  }

  create(principal: string, target: string, opts: { kind: 'file' | 'archive'; size?: number | undefined; force?: boolean | undefined; mode?: number | undefined; mtime?: string | undefined }): UploadState {
    this.checkDestination(target, opts.kind, opts.force ?? false);
    if (opts.size !== undefined && opts.size > this.config.maxBytes) {
      throw new ApiError('file-too-large', `${opts.size} bytes is more than this machine accepts (files.maxBytes = ${this.config.maxBytes})`, { size: opts.size, limit: this.config.maxBytes });
    }
    const id = crypto.randomBytes(12).toString('base64url');
    const temp = path.join(path.dirname(target), `.ferry-${id}.part`);
    fs.closeSync(fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600));
    const now = this.clock.now();
    this.store.insert({
      id,
      principal,
      kind: opts.kind,
      target,
      temp,
      size: opts.size ?? null,
      force: opts.force ? 1 : 0,
      mode: opts.mode ?? null,
      mtime: opts.mtime ? Date.parse(opts.mtime) : null,
      created_at: now,
      updated_at: now,
    });
    this.hashes.set(id, { hash: crypto.createHash('sha256'), offset: 0 });
    return { id, path: target, kind: opts.kind, offset: 0, prefixSha256: EMPTY_SHA256, state: 'open', size: opts.size ?? null };
  }

  /** Overwrite only with force, and only the same kind of thing (a file never replaces a directory). */
  private checkDestination(target: string, kind: 'file' | 'archive', force: boolean): void {
    const st = lstatOrNull(target);
    if (!st) return;
    const what = st.isDirectory() ? 'a directory' : st.isFile() ? 'a file' : st.isSymbolicLink() ? 'a symlink' : 'something else';
    if (!force) throw new ApiError('destination-exists', `${target} exists (${what}): pass force to replace it`, { path: target });
    if ((kind === 'file' && !st.isFile()) || (kind === 'archive' && !st.isDirectory())) {
      throw new ApiError('destination-exists', `${target} is ${what}: a ${kind === 'file' ? 'file' : 'directory'} cannot replace it, even with force`, { path: target });
    }
  }

  /** An upload this principal may touch (the local admin may touch any). */
  private row(id: string, principal: string): UploadRow {
    const row = this.store.get(id);
    if (!row || (principal !== 'local' && row.principal !== principal)) throw new ApiError('upload-not-found', `no upload "${id}"`, { id });
    return row;
  }

  private openRow(id: string, principal: string): UploadRow {
    const row = this.row(id, principal);
    if (row.state !== 'open') throw new ApiError('upload-not-open', `upload "${id}" is ${row.state}`, { id, state: row.state });
    if (this.busy.has(id)) throw new ApiError('offset-mismatch', `upload "${id}" is being written by another request`, { id });
    return row;
  }

  private offsetOf(row: UploadRow): number {
    try {
      return fs.statSync(row.temp).size;
    } catch {
      throw new ApiError('upload-not-found', `upload "${row.id}" lost its temporary file`, { id: row.id });
    }
  }

  /** The hash of what is on disk, from memory when this process wrote all of it. */
  private async hashOf(row: UploadRow, offset: number): Promise<crypto.Hash> {
    const known = this.hashes.get(row.id);
    if (known && known.offset === offset) return known.hash;
    const hash = await hashPrefix(row.temp, offset);
    this.hashes.set(row.id, { hash, offset });
    return hash;
  }

  async state(id: string, principal: string): Promise<UploadState> {
    const row = this.row(id, principal);
    const offset = row.state === 'open' ? this.offsetOf(row) : 0;
    const prefix = row.state === 'open' ? (await this.hashOf(row, offset)).copy().digest('hex') : EMPTY_SHA256;
    return { id, path: row.target, kind: row.kind, offset, prefixSha256: prefix, state: row.state, size: row.size };
  }

  /**
   * Append a body at `offset`, which must be what is on disk. Backpressure is the loop itself: the
   * next chunk is read only after the previous one is written. Whatever arrived before a broken
   * connection stays (fsynced) and is where a resume starts.
   */
  async append(id: string, principal: string, offset: number, body: AsyncIterable<unknown>): Promise<UploadState> {
    const row = this.openRow(id, principal);
    const current = this.offsetOf(row);
    if (offset !== current) throw new ApiError('offset-mismatch', `upload "${id}" is at byte ${current}, not ${offset}: resume from ${current}`, { id, offset: current });
    const limit = Math.min(this.config.maxBytes, row.size ?? this.config.maxBytes);
    this.busy.add(id);
    const hash = await this.hashOf(row, offset);
    const fd = fs.openSync(row.temp, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
    let written = offset;
    const slab = Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES);
    let filled = 0;
    // The hash and the offset move together, only over bytes that are on disk: a resume then
    // starts exactly where the file ends.
    const flush = async () => {
      if (filled === 0) return;
      await fdWriteAll(fd, slab.subarray(0, filled));
      hash.update(slab.subarray(0, filled));
      written += filled;
      filled = 0;
      this.hashes.set(id, { hash, offset: written });
    };
    // Read by hand, not with for-await: leaving a for-await loop early destroys the request, and
    // then the 413 below could never reach the sender. Unread, the rest of the body just waits.
    const it = body[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const buf = next.value as Buffer;
        if (written + filled + buf.length > limit) {
          this.fail(row);
          throw new ApiError('file-too-large', `the upload passed ${limit} bytes (${row.size !== null ? 'the size announced' : 'files.maxBytes'})`, { limit });
        }
        // Backpressure: the next chunk is read only once a full buffer is on disk.
        for (let at = 0; at < buf.length; ) {
          const n = buf.copy(slab, filled, at);
          filled += n;
          at += n;
          if (filled === slab.length) await flush();
        }
      }
      await flush();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // The sender went away: keep what arrived (what is buffered too); the next attempt resumes after it.
      try {
        await flush();
      } catch (flushErr) {
        this.log.warn('could not write the last bytes of an interrupted upload', { id, err: flushErr as Error });
      }
      this.log.info('upload interrupted; it can be resumed', { id, offset: written, err: err as Error });
    } finally {
      try {
        await fdSync(fd);
      } finally {
        await fdClose(fd);
        this.release(id);
      }
      this.store.touch(id, this.clock.now());
    }
    return { id, path: row.target, kind: row.kind, offset: written, prefixSha256: hash.copy().digest('hex'), state: 'open', size: row.size };
  }

  /** Verify the whole content against the sender's hash, then put it in place atomically. */
  async commit(id: string, principal: string, commit: UploadCommit, limits: { maxEntries: number }): Promise<UploadDone> {
    const row = this.openRow(id, principal);
    const size = this.offsetOf(row);
    if (size !== commit.size) throw new ApiError('offset-mismatch', `upload "${id}" holds ${size} bytes, not ${commit.size}: send the rest first`, { id, offset: size });
    this.busy.add(id);
    try {
      const actual = (await this.hashOf(row, size)).copy().digest('hex');
      if (actual !== commit.sha256) {
        this.fail(row);
        throw new ApiError('hash-mismatch', `the content does not match the sender's SHA-256 (expected ${commit.sha256}, got ${actual}): nothing was kept`, {
          expected: commit.sha256,
          actual,
        });
      }
      this.checkDestination(row.target, row.kind, row.force === 1);
      const entries = row.kind === 'file' ? await this.placeFile(row) : await this.placeArchive(row, limits);
      await fsyncDirAsync(path.dirname(row.target));
      this.store.setState(id, 'done', this.clock.now());
      this.hashes.delete(id);
      return { path: row.target, size, sha256: actual, kind: row.kind, ...(entries !== undefined ? { entries } : {}) };
    } finally {
      this.release(id);
    }
  }

  /** Mode, mtime, fsync, rename: without blocking the event loop (flushing a GiB can take a while). */
  private async placeFile(row: UploadRow): Promise<undefined> {
    const handle = await fs.promises.open(row.temp, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
    try {
      await handle.chmod(row.mode ?? 0o644);
      const t = (row.mtime ?? this.clock.now()) / 1000;
      await handle.utimes(t, t);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Checked again right before the rename, in the same turn of the event loop: another upload
    // may have put something there while this one was flushing.
    this.checkDestination(row.target, row.kind, row.force === 1);
    fs.renameSync(row.temp, row.target);
    return undefined;
  }

  private async placeArchive(row: UploadRow, limits: { maxEntries: number }): Promise<number> {
    const dir = tempDir(row);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o700 });
    let entries: number;
    try {
      ({ entries } = await extractArchive(fs.createReadStream(row.temp), dir, { maxBytes: this.config.maxBytes, maxEntries: limits.maxEntries, fsync: true }));
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      this.fail(row);
      if (err instanceof ArchiveError) throw new ApiError(err.code, err.message, err.details);
      throw err;
    }
    fs.chmodSync(dir, 0o755);
    await fsyncDirAsync(dir);
    try {
      // Again right before the renames, in the same turn of the event loop (see placeFile).
      this.checkDestination(row.target, row.kind, row.force === 1);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    if (lstatOrNull(row.target)) {
      // Replace a directory: move the old one aside, the new one in, then remove the old.
      fs.renameSync(row.target, oldDir(row));
      fs.renameSync(dir, row.target);
      fs.rmSync(oldDir(row), { recursive: true, force: true });
    } else fs.renameSync(dir, row.target);
    fs.rmSync(row.temp, { force: true });
    return entries;
  }

  abort(id: string, principal: string): void {
    // A sender that cancels breaks its PUT and sends this at once: the DELETE can arrive before
    // the receiving side has noticed the PUT is gone. Refusing it would leave the temporary file.
    if (this.row(id, principal).state === 'open' && this.busy.has(id)) {
      this.abandoned.add(id);
      return;
    }
    this.fail(this.openRow(id, principal));
  }

  private release(id: string): void {
    this.busy.delete(id);
    if (!this.abandoned.delete(id)) return;
    const row = this.store.get(id);
    if (row?.state === 'open') this.fail(row);
  }

  private fail(row: UploadRow): void {
    fs.rmSync(row.temp, { force: true });
    fs.rmSync(tempDir(row), { recursive: true, force: true });
    this.store.setState(row.id, 'failed', this.clock.now());
    this.hashes.delete(row.id);
  }

  /**
   * After a crash: an upload caught mid-commit has a half-extracted directory (removed: the
   * commit runs again) or, between the two renames of a replacement, its old directory set aside
   * (put back if the new one is not in place, else removed). An upload whose temporary file is
   * gone cannot be resumed.
   */
  private recover(): void {
    for (const row of this.store.open()) {
      fs.rmSync(tempDir(row), { recursive: true, force: true });
      if (lstatOrNull(oldDir(row))) {
        if (lstatOrNull(row.target)) fs.rmSync(oldDir(row), { recursive: true, force: true });
        else fs.renameSync(oldDir(row), row.target);
      }
      if (!lstatOrNull(row.temp)) this.store.setState(row.id, 'failed', this.clock.now());
    }
  }

  /** Remove uploads nobody resumed within files.staleUploadHours. */
  sweep(): number {
    const stale = this.store.staleBefore(this.clock.now() - this.config.staleUploadHours * 3600_000);
    for (const row of stale) if (!this.busy.has(row.id)) this.fail(row);
    return stale.length;
  }

  startSweeper(intervalMs = 3600_000): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
