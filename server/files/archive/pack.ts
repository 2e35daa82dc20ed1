// Streams a scanned tree as tar. Bytes flow only as fast as the reader takes them: each entry
// waits for room in the output, and a file's chunks wait for the tar entry to drain.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Pack } from 'tar-stream';
import { openNoFollow } from '../../policy/path-rules.js';
import { ArchiveError, type ArchiveLimits } from './errors.js';
import { closeQuietly, fdClose, fdFstat, fdRead } from './fd.js';
import { scanTree, type ScanItem } from './scan.js';

const CHUNK = 64 * 1024;
/** ustar's mtime field as tar-stream writes it (a signed 32-bit cast); anything else goes in pax. */
const MAX_USTAR_SECONDS = 0x7fffffff;

const TYPE_BITS = { file: fs.constants.S_IFREG, directory: fs.constants.S_IFDIR, symlink: fs.constants.S_IFLNK } as const;

type Headers = Parameters<Pack['entry']>[0];
type PaxHeaders = Headers & { pax?: Record<string, string> };
/** tar-stream's entry sink: a streamx Writable, not a Node one. */
type Sink = ReturnType<Pack['entry']>;

function headerFor(item: ScanItem): PaxHeaders {
  const seconds = Math.floor(item.mtimeMs / 1000);
  const inRange = seconds >= 0 && seconds <= MAX_USTAR_SECONDS;
  const header: PaxHeaders = {
    name: item.kind === 'directory' ? `${item.rel}/` : item.rel,
    type: item.kind,
    // tar-stream replaces a mode of 0 with its default; the type bits keep a 0o000 file 0o000
    // (they are masked off when the header is written).
    mode: TYPE_BITS[item.kind] | item.mode,
    size: item.kind === 'file' ? item.size : 0,
    mtime: new Date(Math.min(Math.max(seconds, 0), MAX_USTAR_SECONDS) * 1000),
    uid: 0,
    gid: 0,
  };
  if (item.linkname !== undefined) header.linkname = item.linkname;
  if (!inRange) header.pax = { mtime: String(seconds) };
  return header;
}

const sourceChanged = (rel: string, why: string): ArchiveError =>
  new ArchiveError('archive-source-changed', `${rel} changed while it was being packed (${why}); try again`, { path: rel });

/** Adds one entry; resolves once tar-stream has taken all of it. */
function addEntry(pack: Pack, header: Headers): { sink: Sink; done: Promise<void> } {
  let sink!: Sink;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  done.catch(() => {}); // awaited later; a failure before then must not be an unhandled rejection
  sink.on('error', () => {}); // the entry callback reports it
  return { sink, done };
}

const closed = (): Error => new Error('the archive stream was closed');

/** Waits for the entry to take more; fails at once if the reader went away (no 'close' would come). */
function drained(sink: Sink): Promise<void> {
  if (sink.destroying) return Promise.reject(closed());
  return new Promise((resolve, reject) => {
    const finish = (err?: Error): void => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => finish();
    const onClose = (): void => finish(closed());
    sink.on('drain', onDrain);
    sink.on('close', onClose);
  });
}

async function packFile(pack: Pack, root: string, item: ScanItem, header: Headers): Promise<void> {
  let fd: number;
  try {
    fd = openNoFollow(path.join(root, item.rel), 'read');
  } catch (err) {
    throw sourceChanged(item.rel, (err as Error).message);
  }
  try {
    const before = await fdFstat(fd);
    if (!before.isFile() || before.size !== item.size || before.mtimeMs !== item.mtimeMs) {
      throw sourceChanged(item.rel, 'it is not the file that was listed');
    }
    const { sink, done } = addEntry(pack, header);
    for (let pos = 0; pos < item.size; ) {
      const want = Math.min(CHUNK, item.size - pos);
      const { bytesRead, buffer } = await fdRead(fd, Buffer.allocUnsafe(want), 0, want, pos);
      if (bytesRead === 0) throw sourceChanged(item.rel, 'it shrank');
      pos += bytesRead;
      if (!sink.write(bytesRead === want ? buffer : buffer.subarray(0, bytesRead))) await drained(sink);
    }
    const beyond = await fdRead(fd, Buffer.alloc(1), 0, 1, item.size);
    const after = await fdFstat(fd);
    if (beyond.bytesRead > 0 || after.size !== item.size) throw sourceChanged(item.rel, 'it grew');
    if (after.mtimeMs !== item.mtimeMs) throw sourceChanged(item.rel, 'it was written to');
    sink.end(undefined);
    await done;
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
  await fdClose(fd);
}

/**
 * A deterministic tar stream of `dir`'s contents (see docs/files.md, "Directories"): entries are
 * relative to `dir` (which itself is not an entry: its mode and mtime travel with the upload),
 * sorted by path bytes, directories named with a trailing `/`, pax headers for long or non-ASCII
 * names, uid/gid 0 and no user names, mtimes in whole seconds, permission bits only. Symlinks are
 * stored, never followed; hard links are stored as regular files. FIFOs, sockets and devices are
 * refused (`archive-unsupported-entry` naming the path) rather than skipped, because the receiver
 * would not get what the sender had. A file that changes while it is read fails the stream with
 * `archive-source-changed`. The limits are checked on the whole tree before the first byte.
 */
export function packDirectory(dir: string, limits: ArchiveLimits): Readable {
  const pack = tar.pack();
  let wake: (() => void) | undefined;
  const wakeWriter = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const out = new Readable({
    highWaterMark: 4 * CHUNK,
    read() {
      pack.resume();
      wakeWriter();
    },
    destroy(err, cb) {
      pack.destroy();
      wakeWriter();
      cb(err);
    },
  });
  pack.on('error', () => {}); // failures reach `out` through the writer below
  pack.on('data', (chunk: unknown) => {
    if (!out.push(chunk as Buffer)) pack.pause();
  });
  pack.on('end', () => out.push(null));

  const room = async (): Promise<void> => {
    while (!out.destroyed && out.readableLength >= out.readableHighWaterMark) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  const write = async (): Promise<void> => {
    const root = await fsp.realpath(dir);
    if (!(await fsp.stat(root)).isDirectory()) {
      throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    }
    for (const item of await scanTree(root, limits)) {
      await room();
      if (out.destroyed) return;
      const header = headerFor(item);
      if (item.kind === 'file') await packFile(pack, root, item, header);
      else await addEntry(pack, header).done;
    }
    pack.finalize();
  };
  write().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
