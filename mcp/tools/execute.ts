import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import { ExecRequest, Job } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { progressFor, type Progress } from '../progress.js';
import { cancelOnAbort } from './cancel-on-abort.js';
import { defineTool } from './define.js';
import { commandLine, jobText } from './format.js';
import { at, PeerArg, where } from './peer.js';

const f = ExecRequest.shape;
const ExecuteInput = z
  .strictObject({
    argv: f.argv.describe('The program and its arguments, run directly with no shell, e.g. ["git", "status", "--short"]. Preferred. Give exactly one of argv and shell.'),
    shell: f.shell.describe('A command line for /bin/sh -c, only when you need pipes, redirects, globs or && (e.g. "ls *.log | wc -l").'),
    cwd: f.cwd.describe("Working directory (default: the daemon's)."),
    env: f.env.describe('Extra environment variables for the command.'),
    stdin: f.stdin.describe('Text written to the command\'s standard input (then closed).'),
    timeoutMs: f.timeoutMs.describe("Kill the command after this many milliseconds (default: the daemon's)."),
    peer: PeerArg.optional(),
  })
  // Same rule as the daemon's ExecRequest, so a bad call is refused before anything runs.
  .refine((r) => (r.argv === undefined) !== (r.shell === undefined), {
    message: 'give exactly one of "argv" (run a program, no shell) or "shell" (a /bin/sh command line)',
    path: ['argv'],
  });

/** A dropped stream (not a finished job) is re-opened this many times before giving up and reporting the job as running. */
const STREAM_ATTEMPTS = 3;
/** A peer that has not started the command by then is probably asking its owner first: say so. */
const WAITING_NOTE_MS = 1000;

export function registerExecuteTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_execute',
    title: 'Run a command on this machine or a peer',
    description:
      'Run a command through this machine\'s Ferry daemon, or with peer on a paired machine, and wait for it to ' +
      'end. On a peer, that machine\'s policy for this one decides: a refusal is scope-denied, and an "ask" policy ' +
      'makes the call wait (about a minute at most) until a person there approves. Returns the exit code, status ' +
      'and stdout/stderr (long output is shortened in the text; the structured result has all the daemon kept, ' +
      'with truncation flags). Give argv to run a program directly (no shell, nothing is interpreted) or shell ' +
      'for a /bin/sh command line. Every run is recorded as a job (see ferry_list_jobs). Sends progress ' +
      'notifications with the output as it comes when the caller asks for them; cancelling the call kills the job. ' +
      'A non-zero exit code is a normal result, not a tool error.',
    input: ExecuteInput,
    output: { job: Job },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async run({ peer, ...args }, { client: local, extra, log }) {
      const client = at(local, peer);
      const progress = progressFor(extra);
      // Progress values must grow: a "waiting" note takes 0 and moves everything after it up by one.
      let base = 0;
      const waiting = peer === undefined ? undefined : setTimeout(() => {
        base = 1;
        void progress.report(0, `waiting for ${peer} to start it (its policy may ask a person there first)`, { force: true });
      }, WAITING_NOTE_MS);
      // Started without waiting so the output can be streamed and the job cancelled by id.
      // No abort signal on this POST: aborted mid-flight, it could leave a job we have no id for.
      let started: Job;
      try {
        started = await client.exec({ ...args, wait: false });
      } finally {
        clearTimeout(waiting);
      }
      await progress.report(base, `job ${started.id} started${where(peer)}: ${commandLine(started)}`, { force: true });

      const cancel = cancelOnAbort(extra.signal, () => client.cancelJob(started.id), (err) => log('cancel failed', { job: started.id, err: String(err) }));

      let job: Job;
      try {
        job = await follow(client, started.id, extra.signal, progress, base);
      } catch (err) {
        if (!extra.signal.aborted) throw err;
        job = started;
      } finally {
        cancel.stop();
      }
      // The SDK sends no response to a cancelled request; finishing the cancel is what matters.
      if (cancel.canceling) {
        const answer = await cancel.canceling;
        if (job.status === 'running' && answer) job = answer;
      }
      // A job that never produced an exit (the program could not start, the daemon went down) is a
      // tool error; a command that ran and failed is a result the caller reads from exitCode.
      if (job.error && job.status !== 'running' && job.exitCode === null && job.signal === null) {
        throw new FerryError(0, job.error.code, job.error.message, { jobId: job.id, status: job.status });
      }
      return { text: jobText(job, peer), data: { job } };
    },
  });
}

/** Follow the job's live output (reporting progress) until its final state arrives. */
async function follow(client: FerryClient, id: string, signal: AbortSignal, progress: Progress, base: number): Promise<Job> {
  let bytes = base;
  for (let attempt = 1; ; attempt++) {
    for await (const item of client.jobStream(id, { signal })) {
      if (item.type === 'exit') return item.job;
      bytes += item.output.data.length;
      await progress.report(bytes, `${item.output.stream}: ${lastLine(item.output.data)}`);
    }
    // The stream ended without the final state (connection dropped, daemon restarting): ask.
    const job = await client.job(id);
    if (job.status !== 'running' || signal.aborted || attempt >= STREAM_ATTEMPTS) return job;
  }
}

function lastLine(chunk: string): string {
  const lines = chunk.split('\n').filter((l) => l.trim() !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
