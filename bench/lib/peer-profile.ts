import { summarizeProfile, type ProfileSummary, type Window } from './profile.js';

/** Sum lists of {ms} by key, most first. */
function addUp<T extends { ms: number }>(lists: T[][], keyOf: (x: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const x of lists.flat()) {
    const prev = byKey.get(keyOf(x));
    byKey.set(keyOf(x), prev ? { ...prev, ms: prev.ms + x.ms } : { ...x });
  }
  return [...byKey.values()].sort((a, b) => b.ms - a.ms);
}

/**
 * One server's profile over several measured spans (its runs are interleaved with other
 * servers' runs), as one summary. Every package is kept (compareProfiles divides each by the
 * requests served), the functions with the most self time are the top 12.
 */
export function summarizeSpans(file: string, label: string, spans: Window[]): ProfileSummary {
  const parts = spans.map((w) => summarizeProfile(file, label, w, 1000));
  const busyMs = parts.reduce((n, p) => n + p.busyMs, 0);
  const withPct = <T extends { ms: number; pct: number }>(xs: T[]) =>
    xs.map((x) => ({ ...x, ms: Math.round(x.ms * 10) / 10, pct: busyMs > 0 ? Math.round((x.ms / busyMs) * 1000) / 10 : 0 }));
  return {
    label,
    file,
    windowed: true,
    busyMs: Math.round(busyMs * 10) / 10,
    byPackage: withPct(addUp(parts.map((p) => p.byPackage), (p) => p.name)),
    byFunction: withPct(addUp(parts.map((p) => p.byFunction), (f) => `${f.name}@${f.where}`)).slice(0, 12),
  };
}
