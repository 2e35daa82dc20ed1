// Unpacks a tar stream into an empty directory, trusting nothing in it. The stream is pulled
// only as fast as the disk takes it: the input is paused whenever tar-stream has a block it has
// not handed over, and an entry's next chunk is taken only after the last one was written.

import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar, { type Extract } from 'tar-stream';
import { planEntry, type EntryPlan, type RawHeader } from './entry.js';
import { ArchiveError, tooLarge, tooManyEntries, type ArchiveLimits } from './errors.js';
import { ExtractTree } from './tree.js';

export interface ExtractOptions extends ArchiveLimits {
  /** fsync each file before it is closed and each directory once its entries are in. */
  fsync: boolean;
}

export interface ExtractResult {
  entries: number;
  /** Bytes of regular-file content written. */
  bytes: number;
}

const BLOCK = 512;

/** One entry as tar-stream hands it over: a streamx Readable of its data, with its header. */
type Entry = Extract extends AsyncIterable<infer S> ? S : never;

interface Feed {
  bytes: number;
  /** Set when the input itself failed: that, not a parse error it caused, is what to report. */
  error: unknown;
  stop(): void;
}

/** Pipes `input` into `extract` by hand (tar-stream's streams are streamx, not Node streams). */
function feed(input: Readable, extract: Extract): Feed {
  const state: Feed = { bytes: 0, error: undefined, stop };
  let ended = false;
  const onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    state.bytes += buf.length;
    if (!extract.write(buf)) input.pause();
  };
  const onDrain = (): void => void input.resume();
  const onEnd = (): void => {
    ended = true;
    extract.end(undefined);
  };
  const onError = (err: unknown): void => {
    state.error ??= err;
    extract.destroy(err as Error);
  };
  const onClose = (): void => {
    if (!ended) onError(Object.assign(new Error('the input closed before the archive ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  };
  function stop(): void {
    input.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    extract.off('drain', onDrain);
    // Left paused, not destroyed: the caller may still want to answer on the same connection.
    if (!ended) input.pause();
  }
  extract.on('drain', onDrain);
  input.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  return state;
}

async function emptyDirectory(dest: string): Promise<string> {
  const st = await fsp.lstat(dest);
  if (!st.isDirectory()) throw Object.assign(new Error(`${dest} is not a directory`), { code: 'ENOTDIR' });
  const root = await fsp.realpath(dest);
  if ((await fsp.readdir(root)).length > 0) throw Object.assign(new Error(`${dest} is not empty`), { code: 'ENOTEMPTY' });
  return root;
}

async function place(tree: ExtractTree, plan: EntryPlan, body: AsyncIterable<Buffer>): Promise<void> {
  // `./` names the destination, which exists already: nothing to make.
  if (plan.parts.length > 0) {
    const rel = await tree.prepare(plan.parts);
    if (plan.kind === 'file') return tree.file(rel, plan.mode, plan.mtime, body);
    if (plan.kind === 'directory') await tree.directory(rel, plan.mode, plan.mtime);
    else await tree.symlink(rel, plan.linkname, plan.mtime);
  }
  for await (const _ of body); // empty, but the stream must end before the next entry
}

/**
 * Extracts a tar stream into `dest`, an existing empty directory (the caller's temporary one,
 * renamed into place after). Refuses, with an ArchiveError, unsafe paths, entry types other than
 * files, directories and symlinks, a second entry at a used path, and anything past the limits;
 * symlinks are created with their targets verbatim and never followed. On failure the input is
 * left paused and `dest` holds a partial tree for the caller to delete.
 */
export async function extractArchive(input: Readable, dest: string, opts: ExtractOptions): Promise<ExtractResult> {
  const tree = new ExtractTree(await emptyDirectory(dest), opts.fsync);
  const extract = tar.extract();
  extract.on('error', () => {}); // read through the iterator below
  const fed = feed(input, extract);
  const entries = extract[Symbol.asyncIterator]();
  const parseError = (err: unknown): unknown =>
    fed.error ?? (err instanceof ArchiveError ? err : new ArchiveError('archive-invalid', `the archive is not a valid tar stream: ${(err as Error).message}`));

  let count = 0;
  let bytes = 0;
  async function* body(entry: Entry): AsyncGenerator<Buffer> {
    const chunks = entry[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw parseError(err);
      }
      if (next.done) return;
      const chunk = next.value as Buffer;
      bytes += chunk.length;
      if (bytes > opts.maxBytes) throw tooLarge(opts.maxBytes);
      yield chunk;
    }
  }

  let end = 0;
  try {
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw parseError(err);
      }
      if (next.done) break;
      const header = next.value.header as unknown as RawHeader;
      if (++count > opts.maxEntries) throw tooManyEntries(opts.maxEntries);
      const plan = planEntry(header);
      if (bytes + plan.size > opts.maxBytes) throw tooLarge(opts.maxBytes);
      end = (header.byteOffset ?? 0) + Math.ceil(plan.size / BLOCK) * BLOCK;
      await place(tree, plan, body(next.value));
    }
    // tar-stream takes a clean stop at a block boundary as the end; an archive that really ended
    // says so with two zero blocks after its last entry.
    if (fed.bytes < end + 2 * BLOCK) {
      throw new ArchiveError('archive-invalid', 'the archive stops before its end-of-archive marker (truncated?)');
    }
    await tree.finish();
    return { entries: count, bytes };
  } catch (err) {
    await entries.return?.();
    throw err;
  } finally {
    fed.stop();
  }
}
