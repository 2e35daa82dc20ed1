import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { FerryClient } from '../../server/client/index.js';
import type { Job } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

const daemon = useDaemon();
let c: Connected;
beforeAll(async () => {
  c = await connectMcp(daemon().client);
});
afterAll(() => c?.close());

const call = (name: string, args: Record<string, unknown>) => c.mcp.callTool({ name, arguments: args });
const jobOf = (result: unknown) => structured<{ job: Job }>(result).job;

/** The job's final state, from the daemon's own stream (no polling, no sleeps). */
async function finalState(client: FerryClient, id: string): Promise<Job> {
  for await (const item of client.jobStream(id)) if (item.type === 'exit') return item.job;
  return client.job(id);
}

describe('ferry_execute', () => {
  it('runs argv and returns stdout, exit code and status, with progress notifications when asked', async () => {
    const notes: Progress[] = [];
    const result = await c.mcp.callTool({ name: 'ferry_execute', arguments: { argv: ['echo', 'hi'] } }, undefined, {
      onprogress: (p) => notes.push(p),
    });
    expect(result.isError).toBeFalsy();
    const job = jobOf(result);
    expect(job).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'hi\n', stdoutTruncated: false, stderrTruncated: false });
    expect(textOf(result)).toContain('exit code 0');
    expect(textOf(result)).toContain('hi');

    expect(notes[0]?.message).toBe(`job ${job.id} started: echo hi`);
    expect(notes.map((n) => n.message)).toContain('stdout: hi');
    const values = notes.map((n) => n.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);
  });

  it('runs a shell line and reports a non-zero exit as a result, not a tool error', async () => {
    const result = await call('ferry_execute', { shell: 'echo out; echo err >&2; exit 3' });
    expect(result.isError).toBeFalsy();
    expect(jobOf(result)).toMatchObject({ status: 'failed', exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(textOf(result)).toContain('--- stderr ---\nerr');
  });

  it('passes stdin, env and cwd through', async () => {
    const result = await call('ferry_execute', { shell: 'cat; echo "$FERRY_MCP_TEST"; pwd', stdin: 'in\n', env: { FERRY_MCP_TEST: 'yes' }, cwd: '/' });
    expect(jobOf(result).stdout).toBe('in\nyes\n/\n');
  });

  it('answers command-not-found as an isError result', async () => {
    const result = await call('ferry_execute', { argv: ['ferry-no-such-command-4f2a'] });
    expect(errorOf(result).code).toBe('command-not-found');
    expect(textOf(result)).toContain('command-not-found');
  });

  it('shortens long output in the text but keeps it whole in structuredContent', async () => {
    const result = await call('ferry_execute', { shell: "head -c 20000 /dev/zero | tr '\\0' a" });
    const job = jobOf(result);
    expect(job.stdout.length).toBe(20000);
    expect(textOf(result).length).toBeLessThan(12000);
    expect(textOf(result)).toContain('characters omitted');
  });

  it.each([
    ['neither argv nor shell', {}],
    ['both argv and shell', { argv: ['true'], shell: 'true' }],
    ['an empty argv', { argv: [] }],
    ['argv that is not a list', { argv: 'echo hi' }],
    ['the internal wait flag', { argv: ['true'], wait: true }],
    ['a bad environment variable name', { argv: ['true'], env: { 'A-B': 'x' } }],
  ])('refuses %s before anything runs', async (_what, args) => {
    const before = (await daemon().client.jobs({ limit: 500 })).items.length;
    const result = await call('ferry_execute', args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invalid arguments/i);
    expect((await daemon().client.jobs({ limit: 500 })).items.length).toBe(before);
  });

  it('cancels the job when the call is cancelled', async () => {
    const abort = new AbortController();
    let id: string | undefined;
    const pending = c.mcp.callTool({ name: 'ferry_execute', arguments: { argv: ['sleep', '60'] } }, undefined, {
      signal: abort.signal,
      onprogress: (p) => {
        id ??= /^job (\S+) started/.exec(p.message ?? '')?.[1];
        if (id) abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    expect(id).toBeDefined();
    const job = await finalState(daemon().client, id!);
    expect(job.status).toBe('canceled');
  });
});

describe('job tools', () => {
  it('lists and shows jobs run through ferry_execute', async () => {
    const run = jobOf(await call('ferry_execute', { argv: ['echo', 'listed'] }));
    const list = structured<{ items: Job[]; nextCursor: string | null }>(await call('ferry_list_jobs', { status: 'succeeded', limit: 50 }));
    expect(list.items.map((j) => j.id)).toContain(run.id);
    expect(list.items.every((j) => j.status === 'succeeded')).toBe(true);

    const shown = await call('ferry_get_job', { id: run.id });
    expect(jobOf(shown)).toMatchObject({ id: run.id, stdout: 'listed\n', exitCode: 0 });
    expect(textOf(shown)).toContain(run.id);
  });

  it('cancels a running job by id, and says job-not-running once it has ended', async () => {
    const started = await daemon().client.exec({ argv: ['sleep', '60'], wait: false });
    const canceled = await call('ferry_cancel_job', { id: started.id });
    expect(canceled.isError).toBeFalsy();
    expect(jobOf(canceled).id).toBe(started.id);
    expect((await finalState(daemon().client, started.id)).status).toBe('canceled');

    const again = await call('ferry_cancel_job', { id: started.id });
    expect(errorOf(again).code).toBe('job-not-running');
  });

  it('answers job-not-found for an unknown id', async () => {
    expect(errorOf(await call('ferry_get_job', { id: 'no-such-job' })).code).toBe('job-not-found');
  });
});
