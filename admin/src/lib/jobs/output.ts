// A relative import (not $ferry) keeps this module loadable by the root test runner.
import type { Job, OutputStream } from '../../../../server/protocol/index.js';

/** A run of output from one stream; consecutive pieces from the same stream are merged. */
export interface Chunk {
  stream: OutputStream;
  data: string;
}

/** What the admin shows for one job's output. */
export interface JobOutput {
  chunks: Chunk[];
  /** Characters received per stream, to compare with the daemon's final copy. */
  received: Record<OutputStream, number>;
  /** Built from events since job.started, in arrival order (stdout and stderr interleaved). */
  fromStart: boolean;
  loading: boolean;
  error: string | null;
  /** The daemon kept only the first part (its output cap). */
  truncated: boolean;
  /** The browser dropped the oldest part to stay responsive. */
  trimmed: boolean;
}

/** Past this many characters per job the oldest output is dropped from the page (not from the daemon). */
export const MAX_CHARS = 1_000_000;

export function emptyOutput(fromStart: boolean): JobOutput {
  return { chunks: [], received: { stdout: 0, stderr: 0 }, fromStart, loading: false, error: null, truncated: false, trimmed: false };
}

export function appendOutput(out: JobOutput, stream: OutputStream, data: string): void {
  if (data === '') return;
  out.received[stream] += data.length;
  const last = out.chunks.at(-1);
  if (last && last.stream === stream) last.data += data;
  else out.chunks.push({ stream, data });
  trim(out);
}

/** The daemon's copy of a job's output. It does not say how stdout and stderr interleaved. */
export function outputFromJob(job: Job): JobOutput {
  const out = emptyOutput(false);
  appendOutput(out, 'stdout', job.stdout);
  appendOutput(out, 'stderr', job.stderr);
  out.truncated = job.stdoutTruncated || job.stderrTruncated;
  return out;
}

/**
 * Add the live chunks that arrived while a snapshot was being fetched. Some of them may already
 * be in the snapshot, so per stream skip the longest prefix of the live text that the snapshot
 * already ends with.
 */
export function mergeLive(out: JobOutput, snapshot: Job, live: Chunk[]): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = live.filter((c) => c.stream === stream).map((c) => c.data).join('');
    const have = snapshot[stream];
    let overlap = Math.min(text.length, have.length);
    while (overlap > 0 && !have.endsWith(text.slice(0, overlap))) overlap--;
    appendOutput(out, stream, text.slice(overlap));
  }
}

function trim(out: JobOutput): void {
  let total = out.chunks.reduce((n, c) => n + c.data.length, 0);
  while (total > MAX_CHARS && out.chunks.length > 0) {
    const first = out.chunks[0] as Chunk;
    const excess = total - MAX_CHARS;
    if (first.data.length <= excess) {
      out.chunks.shift();
      total -= first.data.length;
    } else {
      first.data = first.data.slice(excess);
      total -= excess;
    }
    out.trimmed = true;
  }
}
