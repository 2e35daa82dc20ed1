import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinning } from './proc.js';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** How a ratio is judged: ferry/baseline at least (throughput) or at most (latency) a value. */
export type Target = { kind: 'ratio-min' | 'ratio-max' | 'value-max'; value: number };

/** One line of a table. The ratio is always ferry / baseline. */
export interface Row {
  metric: string;
  unit: string;
  ferry: number;
  baseline: number;
  target?: Target;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What the baseline column is, in a few words. */
  baseline: string;
  rows: Row[];
  notes: string[];
  /** Everything measured, for the JSON file. */
  details: Record<string, unknown>;
}

export const ratio = (r: Row) => (r.baseline === 0 ? Number.NaN : r.ferry / r.baseline);

export function met(r: Row): boolean | null {
  if (!r.target) return null;
  const t = r.target;
  if (t.kind === 'ratio-min') return ratio(r) >= t.value;
  if (t.kind === 'ratio-max') return ratio(r) <= t.value;
  return r.ferry <= t.value;
}

function fmt(n: number, unit: string): string {
  const digits = unit === 'req/s' ? 0 : unit === 'MB' || unit === 'µs/req' ? 1 : 2;
  return `${n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function fmtTarget(r: Row): string {
  if (!r.target) return '—';
  const t = r.target;
  if (t.kind === 'ratio-min') return `ratio ≥ ${t.value.toFixed(2)}`;
  if (t.kind === 'ratio-max') return `ratio ≤ ${t.value.toFixed(2)}`;
  return `ferry ≤ ${fmt(t.value, r.unit)}`;
}

export function table(result: BenchResult): string {
  const header = ['metric', 'ferry', 'baseline', 'ratio', 'target', 'met?'];
  const lines = result.rows.map((r) => {
    const m = met(r);
    const q = ratio(r);
    return [r.metric, fmt(r.ferry, r.unit), fmt(r.baseline, r.unit), Number.isFinite(q) ? `${q.toFixed(2)}×` : '—', fmtTarget(r), m === null ? '—' : m ? 'yes' : 'NO'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`\n${result.name}: ${result.title}\nbaseline: ${result.baseline}; ratio = ferry / baseline`, row(header), widths.map((w) => '─'.repeat(w)).join('  '), ...lines.map(row)];
  for (const n of result.notes) out.push(`  · ${n}`);
  return out.join('\n');
}

// Taken when this module loads, before the bench pins itself to one CPU (which would make
// availableParallelism() report 1).
const MACHINE = (() => {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
  };
})();

export function machine(): Record<string, unknown> {
  return {
    ...MACHINE,
    // Other work on the machine skews every number: the 1-minute load average when the file was written.
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    pinned: pinning ? 'load generator on CPU 0, servers on CPU 1 (taskset)' : false,
  };
}

/** bench/results/<name>.json: the table's rows with their ratios, the raw measurements, the machine. */
export function writeResult(result: BenchResult, extra: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  const rows = result.rows.map((r) => ({ ...r, ratio: ratio(r), met: met(r) }));
  const doc = { name: result.name, title: result.title, date: new Date().toISOString(), machine: machine(), ...extra, baseline: result.baseline, rows, notes: result.notes, details: result.details };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}
