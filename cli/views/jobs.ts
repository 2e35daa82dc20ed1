import type { Job, JobSummary } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { clip, formatMs, formatTime, table } from './format.js';

export const commandLine = (job: JobSummary) => job.shell ?? (job.argv ?? []).map(quote).join(' ');

/** Quote a word the way a shell would need it, so a printed command can be pasted back. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const exitText = (job: JobSummary) => (job.exitCode !== null ? String(job.exitCode) : job.signal ?? '-');

export function jobsTable(jobs: JobSummary[], columns: number): string[] {
  const width = Math.max(20, columns - 70);
  return table([
    ['ID', 'STATUS', 'EXIT', 'DURATION', 'STARTED', 'COMMAND'],
    ...jobs.map((j) => [j.id, j.status, exitText(j), formatMs(j.durationMs), formatTime(j.createdAt), clip(commandLine(j), width)]),
  ]);
}

/** Piped: tab-separated, complete values, ISO times. */
export function jobsPlain(jobs: JobSummary[]): string[] {
  return jobs.map((j) => [j.id, j.status, exitText(j), j.durationMs ?? '-', j.createdAt, commandLine(j)].join('\t'));
}

export function jobDetails(job: Job, paint: Painter): string[] {
  const rows: [string, string][] = [
    ['id', job.id],
    ['command', commandLine(job)],
    ['cwd', job.cwd],
    ['status', job.status],
    ['exit', exitText(job)],
    ['started', formatTime(job.createdAt)],
    ['ended', formatTime(job.endedAt)],
    ['duration', formatMs(job.durationMs)],
    ['by', job.principal],
  ];
  if (job.error) rows.push(['error', `${job.error.message} [${job.error.code}]`]);
  const lines = rows.map(([k, v]) => `${paint('dim', k.padEnd(9))} ${v}`);
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = job[stream];
    if (!text) continue;
    const cut = stream === 'stdout' ? job.stdoutTruncated : job.stderrTruncated;
    lines.push('', paint('bold', `── ${stream}${cut ? ' (truncated)' : ''} ──`), text.replace(/\n$/, ''));
  }
  return lines;
}
