import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';
import { ApiError } from '../http/errors.js';
import { openNoFollow } from '../policy/path-rules.js';
import type { DirEntry, DirListing, FileStat, FileType } from '../protocol/index.js';
import { packDirectory, type ArchiveLimits } from './archive.js';

const MAX_LIST = 10_000;
export const SHA256_TRAILER = 'x-ferry-sha256';

const typeOf = (st: fs.Stats): FileType => (st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other');

function lstat(real: string, shown: string): fs.Stats {
  try {
    return fs.lstatSync(real);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('path-not-found', `${shown} does not exist`, { path: shown });
    throw err;
  }
}

/** SHA-256 of the first `n` bytes of what a transfer of this path sends (the file, or the directory's archive). */
export async function prefixSha256(real: string, shown: string, n: number, limits: ArchiveLimits): Promise<string> {
  const st = lstat(real, shown);
  const hash = crypto.createHash('sha256');
  if (n === 0) return hash.digest('hex');
  const opened = st.isDirectory() ? openArchive(real, shown, 0, limits) : await openFile(real, shown, 0);
  let left = n;
  try {
    for await (const chunk of opened.stream) {
      hash.update(chunk.length <= left ? chunk : chunk.subarray(0, left));
      left -= Math.min(left, chunk.length);
      if (left === 0) break;
    }
  } finally {
    opened.stream.destroy();
  }
  if (left > 0) throw new ApiError('offset-mismatch', `${shown} has fewer than ${n} bytes now`, { path: shown });
  return hash.digest('hex');
}

export async function stat(real: string, shown: string, withHash: boolean): Promise<FileStat> {
  const st = lstat(real, shown);
  const out: FileStat = { path: real, type: typeOf(st), size: st.size, mode: st.mode & 0o7777, mtime: st.mtime.toISOString() };
  if (st.isSymbolicLink()) out.target = fs.readlinkSync(real);
  if (withHash && st.isFile()) {
    const hash = crypto.createHash('sha256');
    const fd = openNoFollow(real, 'read');
    for await (const chunk of fs.createReadStream('', { fd, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    out.sha256 = hash.digest('hex');
  }
  return out;
}

export function list(real: string, shown: string): DirListing {
  const st = lstat(real, shown);
  if (!st.isDirectory()) throw new ApiError('not-a-directory', `${shown} is not a directory`, { path: shown });
  const names = fs.readdirSync(real).sort();
  const entries: DirEntry[] = [];
  for (const name of names.slice(0, MAX_LIST)) {
    try {
      const e = fs.lstatSync(path.join(real, name));
      entries.push({ name, type: typeOf(e), size: e.size, mode: e.mode & 0o7777, mtime: e.mtime.toISOString(), ...(e.isSymbolicLink() ? { target: fs.readlinkSync(path.join(real, name)) } : {}) });
    } catch {
      // removed while listing
    }
  }
  return { path: real, entries, truncated: names.length > MAX_LIST };
}

/** `Range: bytes=N-` (the only form a resume needs); anything else is the whole file. */
export function rangeStart(header: string | undefined): number {
  const m = /^bytes=(\d+)-$/.exec(header ?? '');
  return m ? Number(m[1]) : 0;
}

export interface OpenedRead {
  /** The bytes from the requested offset; the hash covers the whole content once this ends. */
  stream: AsyncIterable<Buffer> & { destroy(err?: Error): void };
  /** SHA-256 of the WHOLE content, valid once the stream has ended. */
  sha256(): string;
  /** Known for files; an archive's size is known only at its end. */
  size: number | null;
  mode: number | null;
  mtime: string | null;
  from: number;
}

/**
 * A regular file's bytes from `start` (opened without following a symlink), hashing the whole file:
 * a resumed read hashes the skipped prefix first, without returning it.
 */
export async function openFile(real: string, shown: string, start: number): Promise<OpenedRead> {
  let fd: number;
  try {
    fd = openNoFollow(real, 'read');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('path-not-found', `${shown} does not exist`, { path: shown });
    if (code === 'ELOOP') throw new ApiError('path-invalid', `${shown} is a symlink: Ferry never follows a symlink at the end of a path`, { path: shown });
    if (code === 'EISDIR' || code === 'EFTYPE') throw new ApiError('not-a-file', `${shown} is not a regular file`, { path: shown });
    throw err;
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new ApiError('not-a-file', `${shown} is not a regular file`, { path: shown });
  }
  const from = Math.min(start, st.size);
  const hash = crypto.createHash('sha256');
  if (from > 0) {
    for await (const chunk of fs.createReadStream('', { fd, start: 0, end: from - 1, autoClose: false, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  const source = fs.createReadStream('', { fd, start: from, highWaterMark: 64 * 1024 });
  return { stream: hashing(source, hash), sha256: () => hash.copy().digest('hex'), size: st.size, mode: st.mode & 0o777, mtime: st.mtime.toISOString(), from };
}

/** A directory as a deterministic tar stream from `start`; the hash covers the whole archive. */
export function openArchive(real: string, shown: string, start: number, limits: ArchiveLimits): OpenedRead {
  const st = lstat(real, shown);
  if (!st.isDirectory()) throw new ApiError('not-a-directory', `${shown} is not a directory`, { path: shown });
  const hash = crypto.createHash('sha256');
  let skip = start;
  const source = packDirectory(real, limits);
  // The archive is the same bytes every time: a resume skips (but hashes) what the receiver has.
  const cut = (chunk: Buffer): Buffer | null => {
    if (skip <= 0) return chunk;
    if (chunk.length <= skip) {
      skip -= chunk.length;
      return null;
    }
    const rest = chunk.subarray(skip);
    skip = 0;
    return rest;
  };
  return { stream: hashing(source, hash, cut), sha256: () => hash.copy().digest('hex'), size: null, mode: null, mtime: null, from: start };
}

/** Hash every byte of a source on the way through (optionally not passing some on). */
function hashing(source: AsyncIterable<unknown> & { destroy(err?: Error): void }, hash: crypto.Hash, cut?: (b: Buffer) => Buffer | null): OpenedRead['stream'] {
  const it = (async function* () {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      hash.update(buf);
      const out = cut ? cut(buf) : buf;
      if (out && out.length > 0) yield out;
    }
  })();
  return Object.assign(it, { destroy: (err?: Error) => source.destroy(err) });
}

/** Send an opened read as the HTTP answer: size headers, the bytes with backpressure, the hash as a trailer. */
export async function sendRead(res: Response, r: OpenedRead, type: string): Promise<void> {
  res.status(r.from > 0 ? 206 : 200);
  res.setHeader('content-type', type);
  if (r.size !== null) {
    res.setHeader('x-ferry-size', String(r.size));
    if (r.from > 0) res.setHeader('content-range', `bytes ${r.from}-${r.size - 1}/${r.size}`);
  }
  if (r.mode !== null) res.setHeader('x-ferry-mode', String(r.mode));
  if (r.mtime !== null) res.setHeader('x-ferry-mtime', r.mtime);
  res.setHeader('trailer', SHA256_TRAILER);
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  try {
    for await (const chunk of r.stream) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), closed]);
    }
  } catch (err) {
    // Before the first byte, the error handler can still answer properly...
    if (!res.headersSent) throw err;
    // ...after it, it is too late for an envelope: end the response broken (the receiver's hash check fails).
    res.destroy(err as Error);
    return;
  } finally {
    if (res.destroyed) r.stream.destroy();
  }
  if (res.destroyed) return;
  res.addTrailers({ [SHA256_TRAILER]: r.sha256() });
  res.end();
}
