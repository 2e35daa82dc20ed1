import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { FerryClient } from '../../server/client/index.js';
import type { Job } from '../../server/protocol/index.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { isAlive, waitFor } from '../helpers/proc.js';

let t: TestApp;
afterEach(() => t?.close());

const exec = (body: object) => request(t.app).post('/api/v1/exec').set(t.auth).send(body);

describe('exec', () => {
  it('runs argv without a shell: nothing is interpreted', async () => {
    t = await makeTestApp();
    const res = await exec({ argv: ['echo', 'hi', '$HOME', '; rm -rf /', '`id`'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'hi $HOME ; rm -rf / `id`\n', stderr: '', principal: 'local' });
    expect(res.body.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('runs a shell command line only when asked, with its exit code', async () => {
    t = await makeTestApp();
    const res = await exec({ shell: 'echo out; echo err >&2; printf "%s" "$((6*7))" | wc -c; exit 3' });
    expect(res.body).toMatchObject({ status: 'failed', exitCode: 3, stdout: 'out\n1\n'.replace('1', '2'), stderr: 'err\n', argv: null });
  });

  it('uses cwd, env and stdin', async () => {
    t = await makeTestApp();
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-cwd-')));
    const env = { GREETING: 'hello', API_SECRET: 's3cr3t-value' };
    const res = await exec({ shell: 'pwd; echo "$GREETING"; test -n "$API_SECRET" && cat', cwd: dir, env, stdin: 'from stdin' });
    expect(res.body.stdout).toBe(`${dir}\nhello\nfrom stdin`);
    // Only the names of env vars are kept, never their values (nor stdin).
    const row = t.db.prepare('SELECT env_keys FROM jobs WHERE id = ?').get(res.body.id) as { env_keys: string };
    expect(JSON.parse(row.env_keys)).toEqual(['GREETING', 'API_SECRET']);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM jobs').all())).not.toContain('s3cr3t');
  });

  it('422 command-not-found before anything runs, and 400 cwd-not-found', async () => {
    t = await makeTestApp();
    const nf = await exec({ argv: ['definitely-not-a-program-xyz'] });
    expect(nf.status).toBe(422);
    expect(nf.body.error.code).toBe('command-not-found');
    expect(nf.body.error.message).toContain('definitely-not-a-program-xyz');
    expect((await exec({ argv: ['./nope.sh'] })).body.error.code).toBe('command-not-found');
    const plain = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-nx-')), 'not-executable');
    fs.writeFileSync(plain, 'echo hi', { mode: 0o644 });
    expect((await exec({ argv: [plain] })).body.error.code).toBe('command-not-found');
    const cwd = await exec({ argv: ['true'], cwd: '/no/such/dir' });
    expect(cwd.status).toBe(400);
    expect(cwd.body.error.code).toBe('cwd-not-found');
    expect((await exec({ argv: ['true'], cwd: plain })).body.error.code).toBe('cwd-not-found');
    expect((await request(t.app).get('/api/v1/jobs').set(t.auth)).body.items).toEqual([]);
  });

  it('stops a job at its timeout (SIGTERM to the group) and says so', async () => {
    t = await makeTestApp();
    const res = await exec({ argv: ['sleep', '30'], timeoutMs: 300 });
    expect(res.body).toMatchObject({ status: 'timed-out', signal: 'SIGTERM', exitCode: null, error: { code: 'timed-out' } });
    expect(res.body.durationMs).toBeLessThan(10_000);
    const over = await exec({ argv: ['true'], timeoutMs: t.config.exec.maxTimeoutMs + 1 });
    expect(over.body.error.code).toBe('validation-failed');
  });

  it('cancel kills the whole process group, grandchildren too', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const client = new FerryClient({ baseUrl: base, token: t.token });
    const started = await client.exec({ shell: 'sleep 300 & echo $!; sleep 300; wait', wait: false });
    expect(started.status).toBe('running');
    let grandchild = 0;
    const stream = client.jobStream(started.id);
    for await (const item of stream) {
      if (item.type === 'output') {
        grandchild = Number(item.output.data.trim());
        break;
      }
    }
    expect(grandchild).toBeGreaterThan(1);
    expect(isAlive(grandchild)).toBe(true);
    const canceling = await client.cancelJob(started.id);
    expect(canceling.id).toBe(started.id);
    await waitFor(async () => (await client.job(started.id)).status !== 'running', 10_000, 'job to end');
    const job = await client.job(started.id);
    expect(job).toMatchObject({ status: 'canceled', signal: 'SIGTERM' });
    await waitFor(() => !isAlive(grandchild), 5_000, 'grandchild to die');
    const again = await request(t.app).post(`/api/v1/jobs/${started.id}/cancel`).set(t.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('job-not-running');
    expect((await request(t.app).post('/api/v1/jobs/nope/cancel').set(t.auth)).body.error.code).toBe('job-not-found');
  });

  it('escalates to SIGKILL when the program ignores SIGTERM', async () => {
    t = await makeTestApp({ set: ['exec.killGraceMs=200'] });
    const res = await exec({ shell: "trap '' TERM; echo ready; while :; do sleep 0.05; done", wait: false });
    await waitFor(() => t.ferry.services.exec.get(res.body.id).stdout.includes('ready'), 5_000, 'trap to be set');
    await request(t.app).post(`/api/v1/jobs/${res.body.id}/cancel`).set(t.auth).expect(202);
    await waitFor(() => t.ferry.services.exec.get(res.body.id).status !== 'running', 5_000, 'job to end');
    expect(t.ferry.services.exec.get(res.body.id)).toMatchObject({ status: 'canceled', signal: 'SIGKILL' });
  });

  it('caps output and says it was truncated, without blocking the program', async () => {
    t = await makeTestApp({ set: ['exec.outputCapBytes=1024'] });
    const res = await exec({ shell: 'head -c 10000000 /dev/zero | tr "\\0" a; echo done >&2' });
    expect(res.body.status).toBe('succeeded');
    expect(res.body.stdout).toHaveLength(1024);
    expect(res.body.stdoutTruncated).toBe(true);
    expect(res.body).toMatchObject({ stderr: 'done\n', stderrTruncated: false });
  });

  it('keeps multi-byte characters whole across chunks and at the cap', async () => {
    t = await makeTestApp({ set: ['exec.outputCapBytes=1024'] });
    const res = await exec({ argv: ['node', '-e', 'process.stdout.write("é".repeat(2000))'] });
    expect(res.body.stdout).toBe('é'.repeat(512));
  });

  it('answers 429 too-many-jobs with Retry-After over the concurrency cap', async () => {
    t = await makeTestApp({ set: ['exec.maxConcurrent=1'] });
    const first = await exec({ argv: ['sleep', '30'], wait: false });
    expect(first.status).toBe(202);
    expect(first.headers.location).toBe(`/api/v1/jobs/${first.body.id}`);
    const second = await exec({ argv: ['true'] });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('too-many-jobs');
    expect(second.headers['retry-after']).toBe('1');
    await request(t.app).post(`/api/v1/jobs/${first.body.id}/cancel`).set(t.auth);
    await waitFor(() => t.ferry.services.exec.runningCount === 0, 5_000, 'slot to free');
    expect((await exec({ argv: ['true'] })).status).toBe(200);
  });

  it('streams live output as SSE, then the final job', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const client = new FerryClient({ baseUrl: base, token: t.token });
    const job = await client.exec({ shell: 'echo one; sleep 0.3; echo two >&2; sleep 0.2; echo three', wait: false });
    const items: string[] = [];
    let final: Job | undefined;
    for await (const item of client.jobStream(job.id)) {
      if (item.type === 'output') items.push(`${item.output.stream}:${item.output.data}`);
      else final = item.job;
    }
    expect(items).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
    expect(final).toMatchObject({ status: 'succeeded', stdout: 'one\nthree\n', stderr: 'two\n' });
    // A finished job's stream replays its output and ends.
    const replay: string[] = [];
    for await (const item of client.jobStream(job.id)) replay.push(item.type);
    expect(replay).toEqual(['output', 'output', 'exit']);
    await expect(client.jobStream('nope').next()).rejects.toMatchObject({ code: 'job-not-found', status: 404 });
  });

  it('announces started, output and finished events', async () => {
    t = await makeTestApp();
    const res = await exec({ argv: ['echo', 'evt'] });
    const events = t.ferry.bus.since(0).filter((e) => 'job' in e.data ? e.data.job.id === res.body.id : 'jobId' in e.data && e.data.jobId === res.body.id);
    expect(events.map((e) => e.type)).toEqual(['job.started', 'job.output', 'job.finished']);
    expect(events[1]!.data).toMatchObject({ stream: 'stdout', data: 'evt\n' });
  });

  it('lists jobs newest first, filters by status, pages with a cursor', async () => {
    t = await makeTestApp();
    for (const code of [0, 1, 0, 1, 0]) await exec({ shell: `exit ${code}` });
    const all = await request(t.app).get('/api/v1/jobs').set(t.auth);
    expect(all.body.items).toHaveLength(5);
    expect(all.body.items[0].shell).toBe('exit 0');
    expect(all.body.items[0]).not.toHaveProperty('stdout');
    const failed = await request(t.app).get('/api/v1/jobs?status=failed').set(t.auth);
    expect(failed.body.items.map((j: Job) => j.exitCode)).toEqual([1, 1]);
    const p1 = await request(t.app).get('/api/v1/jobs?limit=2').set(t.auth);
    const p2 = await request(t.app).get(`/api/v1/jobs?limit=2&cursor=${p1.body.nextCursor}`).set(t.auth);
    const p3 = await request(t.app).get(`/api/v1/jobs?limit=2&cursor=${p2.body.nextCursor}`).set(t.auth);
    expect([...p1.body.items, ...p2.body.items, ...p3.body.items].map((j: Job) => j.id)).toEqual(all.body.items.map((j: Job) => j.id));
    expect(p3.body.nextCursor).toBeNull();
    const one = await request(t.app).get(`/api/v1/jobs/${all.body.items[0].id}`).set(t.auth);
    expect(one.body).toMatchObject({ id: all.body.items[0].id, stdout: '', stdoutTruncated: false });
    expect((await request(t.app).get('/api/v1/jobs/unknown').set(t.auth)).status).toBe(404);
  });

  it('interrupts running jobs on shutdown and records them', async () => {
    t = await makeTestApp();
    const res = await exec({ argv: ['sleep', '30'], wait: false });
    await t.ferry.shutdown('test');
    const row = t.db.prepare('SELECT status, signal FROM jobs WHERE id = ?').get(res.body.id);
    expect(row).toEqual({ status: 'interrupted', signal: 'SIGTERM' });
  });
});
