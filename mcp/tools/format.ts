import type { ContextEntry, Job, JobSummary } from '../../server/protocol/index.js';

/** Text for the model stays small; structuredContent keeps everything (as capped by the daemon). */
export const TEXT_OUTPUT_LIMIT = 8000;
const HEAD_SHARE = 0.25;

/** Keep the start and (mostly) the end of a long text: errors tend to be printed last. */
export function clip(text: string, limit: number, where: string): string {
  if (text.length <= limit) return text;
  const head = Math.floor(limit * HEAD_SHARE);
  const tail = limit - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${omitted} characters omitted here; the full text is in ${where} …]\n${text.slice(-tail)}`;
}

export function preview(value: unknown, limit = 80): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length <= limit ? s : `${s.slice(0, limit - 1)}…`;
}

export function entryLine(e: ContextEntry): string {
  const expires = e.expiresAt ? `, expires ${e.expiresAt}` : '';
  return `"${e.key}" version ${e.version} (updated ${e.updatedAt} by ${e.updatedBy}${expires})`;
}

/** How a command reads in a shell, for display only (the daemon never runs argv through a shell). */
export function commandLine(job: Pick<JobSummary, 'argv' | 'shell'>): string {
  if (job.shell !== null) return `sh -c ${quote(job.shell)}`;
  return (job.argv ?? []).map(quote).join(' ');
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One line about a job; `peer` names the machine it ran on when that is not this one. */
export function jobHeadline(job: JobSummary, peer?: string): string {
  const took = job.durationMs !== null ? ` in ${job.durationMs} ms` : '';
  const how =
    job.status === 'running'
      ? 'is still running'
      : job.status === 'timed-out'
        ? `timed out after ${job.timeoutMs} ms`
        : job.exitCode !== null
          ? `${job.status}: exit code ${job.exitCode}${took}`
          : `${job.status}${job.signal ? ` (signal ${job.signal})` : ''}${took}`;
  const err = job.error ? ` [${job.error.code}: ${job.error.message}]` : '';
  const on = peer === undefined ? '' : ` on ${peer}`;
  return `Job ${job.id}${on} (${commandLine(job)}) ${how}${err}`;
}

export function jobText(job: Job, peer?: string): string {
  const parts = [jobHeadline(job, peer)];
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = job[stream];
    const capped = job[`${stream}Truncated`] ? ` (cut at the daemon's output cap)` : '';
    if (text === '' && !capped) continue;
    parts.push(`--- ${stream}${capped} ---\n${clip(text, TEXT_OUTPUT_LIMIT, `structuredContent.job.${stream}`)}`);
  }
  if (parts.length === 1 && job.status !== 'running') parts.push('(no output)');
  return parts.join('\n');
}
