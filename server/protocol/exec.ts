import { z } from 'zod';
import { Cursor, Limit, Timestamp, page } from './common.js';

const NoNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL characters');
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _');

/**
 * Run a command. `argv` runs the program directly, with no shell: nothing is interpreted.
 * `shell` runs the string with /bin/sh -c and is a separate, explicit choice.
 */
export const ExecRequest = z
  .strictObject({
    argv: z.array(NoNul.max(128 * 1024)).min(1).max(4096).optional(),
    shell: NoNul.min(1).max(128 * 1024).optional(),
    cwd: NoNul.min(1).max(4096).optional(),
    env: z.record(EnvName, NoNul.max(32 * 1024)).optional(),
    stdin: z.string().max(1024 * 1024).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    /** true (default): answer when the job ends, with its output. false: answer 202 at once. */
    wait: z.boolean().optional(),
  })
  .refine((r) => (r.argv === undefined) !== (r.shell === undefined), {
    message: 'give exactly one of "argv" (run a program, no shell) or "shell" (a /bin/sh command line)',
    path: ['argv'],
  })
  .refine((r) => r.argv === undefined || r.argv[0] !== '', { message: 'argv[0] must not be empty', path: ['argv', 0] });
export type ExecRequest = z.infer<typeof ExecRequest>;

export const JOB_STATUSES = ['running', 'succeeded', 'failed', 'timed-out', 'canceled', 'interrupted', 'lost'] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;
/** `interrupted`: the daemon shut down while the job ran. `lost`: the daemon died while it ran. */
export const FINAL_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((s) => s !== 'running');

export const JobSummary = z.object({
  id: z.string(),
  argv: z.array(z.string()).nullable(),
  shell: z.string().nullable(),
  cwd: z.string(),
  principal: z.string(),
  status: JobStatus,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timeoutMs: z.number().int(),
  createdAt: Timestamp,
  endedAt: Timestamp.nullable(),
  durationMs: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const Job = JobSummary.extend({
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
});
export type Job = z.infer<typeof Job>;

export const JobListQuery = z.strictObject({
  status: JobStatus.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export type JobListQuery = { status?: JobStatus; limit?: number; cursor?: string };
export const JobPage = page(JobSummary);
export type JobPage = z.infer<typeof JobPage>;

export const OutputStream = z.enum(['stdout', 'stderr']);
export type OutputStream = z.infer<typeof OutputStream>;

/** Events on a job's SSE stream (`GET /api/v1/jobs/:id/stream`). */
export const JobStreamOutput = z.object({ stream: OutputStream, data: z.string() });
export type JobStreamOutput = z.infer<typeof JobStreamOutput>;
