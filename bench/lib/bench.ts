import fs from 'node:fs';
import path from 'node:path';
import { monotonicUs, newestProfile, summarizeProfile, type ProfileSummary, type Window } from './profile.js';
import type { BenchResult } from './report.js';
import { startFerry, type FerryOptions, type Target } from './servers.js';

export interface RunContext {
  /** Shorter runs for a smoke check of the benchmarks themselves; not numbers to quote. */
  quick: boolean;
  /** With --profile: run each daemon (and the context baselines) under --cpu-prof and keep the profiles here. */
  profileRoot?: string;
}

export interface Bench {
  name: string;
  summary: string;
  /** `text`: more to print after the table (e.g. a profile comparison). */
  run(ctx: RunContext): Promise<BenchResult & { profiles?: ProfileSummary[]; text?: string[] }>;
}

/** Marks the measured part of a run, so a profile can leave out start-up, seeding and warm-up. */
export interface Measured {
  start(): void;
  end(): void;
}

/**
 * Start a daemon for one part of a bench, run `fn`, stop it; with --profile, return the summary
 * of the CPU profile it wrote on exit (the daemon must stop cleanly for V8 to write one),
 * counting only what happened between `measured.start()` and `measured.end()` when they were called.
 */
export async function withFerry<T>(
  ctx: RunContext,
  label: string,
  fn: (ferry: Target, measured: Measured) => Promise<T>,
  opts: Omit<FerryOptions, 'cpuProfileDir'> = {},
): Promise<{ value: T; profile?: ProfileSummary; window?: Window }> {
  let fromUs: number | undefined;
  let toUs: number | undefined;
  const measured: Measured = { start: () => (fromUs = monotonicUs()), end: () => (toUs = monotonicUs()) };
  const dir = ctx.profileRoot ? path.join(ctx.profileRoot, label) : undefined;
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const ferry = await startFerry({ ...opts, ...(dir ? { cpuProfileDir: dir } : {}) });
  let value: T;
  try {
    value = await fn(ferry, measured);
  } catch (err) {
    await ferry.stop().catch(() => undefined);
    throw err;
  }
  await ferry.stop();
  const file = dir ? newestProfile(dir) : undefined;
  const window: Window | undefined = fromUs !== undefined ? { fromUs, toUs: toUs ?? monotonicUs() } : undefined;
  return { value, ...(window ? { window } : {}), ...(file ? { profile: summarizeProfile(file, label, window) } : {}) };
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Nearest-rank percentile of unsorted samples. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The summary the sequential benches report for a path's samples (ms). */
export const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) });
