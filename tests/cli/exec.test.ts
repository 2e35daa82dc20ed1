import { describe, expect, it } from 'vitest';
import type { Job } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { ferry, json, spawnFerry } from './run.js';

describe('ferry exec', () => {
  const d = useDaemon();
  const run = (args: string[], input?: string) => ferry(args, { home: d().home, ...(input !== undefined && { input }) });


  it('streams the command\'s stdout and stderr to its own and exits 0', async () => {
    const res = await run(['exec', '--', 'echo', 'hi']);
    expect(res).toMatchObject({ code: 0, stdout: 'hi\n', stderr: '' });
    const both = await run(['exec', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(both).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes the command\'s exit code through', async () => {
    const res = await run(['exec', '--', 'sh', '-c', 'exit 3']);
    expect(res.code).toBe(3);
  });

  it('keeps options after -- for the command, not for ferry', async () => {
    const res = await run(['exec', '--', 'sh', '-c', 'echo "$@"', 'sh', '--json', '-n']);
    expect(res).toMatchObject({ code: 0, stdout: '--json -n\n' });
  });

  it('a program that does not exist: exit 127, a clear message and the daemon\'s code', async () => {
    const res = await run(['exec', '--', 'ferry-no-such-program-xyz']);
    expect(res.code).toBe(127);
    expect(res.stderr).toContain('ferry-no-such-program-xyz');
    expect(res.stderr).toContain('[command-not-found]');
    const asJson = await run(['exec', '--json', '--', 'ferry-no-such-program-xyz']);
    expect(asJson.code).toBe(127);
    expect(json<{ error: { code: string } }>(asJson).error.code).toBe('command-not-found');
  });

  it('--json prints the final job, with its output and status', async () => {
    const res = await run(['exec', '--json', '--cwd', '/', '--env', 'GREETING=hey', '--', 'sh', '-c', 'echo $GREETING; pwd; exit 4']);
    expect(res.code).toBe(4);
    expect(json<Job>(res)).toMatchObject({ status: 'failed', exitCode: 4, stdout: 'hey\n/\n', cwd: '/' });
  });

  it('--shell runs a command line; --stdin passes piped input', async () => {
    expect(await run(['exec', '--shell', '--', 'echo $((6 * 7)) | tr 4 X'])).toMatchObject({ code: 0, stdout: 'X2\n' });
    expect(await run(['exec', '--stdin', '--', 'tr', 'a-z', 'A-Z'], 'shout\n')).toMatchObject({ code: 0, stdout: 'SHOUT\n' });
  });

  it('a timeout stops the command and exits 124', async () => {
    const res = await run(['exec', '--timeout', '200', '--', 'sleep', '20']);
    expect(res.code).toBe(124);
    expect(res.stderr).toContain('timed out');
  });

  it('Ctrl-C cancels the job on the daemon and exits 130', async () => {
    const child = spawnFerry(['exec', '--', 'sh', '-c', 'echo started; sleep 30'], { home: d().home });
    child.stdin!.end();
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await waitFor(() => out.includes('started'), 10_000, 'the job to start');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const { items } = await d().client.jobs({ limit: 1 });
    expect(items[0]).toMatchObject({ argv: ['sh', '-c', 'echo started; sleep 30'], status: 'canceled' });
  });

  it('--detach prints the job id at once; jobs show finds it', async () => {
    const res = await run(['exec', '--detach', '--', 'sh', '-c', 'echo later']);
    expect(res.code).toBe(0);
    const id = res.stdout.trim();
    await waitFor(async () => (await d().client.job(id)).status !== 'running', 10_000, 'the job to end');
    const show = await run(['jobs', 'show', id, '--json']);
    expect(json<Job>(show)).toMatchObject({ id, status: 'succeeded', stdout: 'later\n' });
    const list = await run(['jobs', '--json', '--limit', '50']);
    expect(json<{ items: Job[] }>(list).items.map((j) => j.id)).toContain(id);
  });

  it('a target before -- is a peer: one that is not paired is peer-not-found (exit 1); two targets are a usage error', async () => {
    const res = await run(['exec', 'laptop', '--json', '--', 'ls']);
    expect(res.code).toBe(1);
    expect(json<{ error: { code: string } }>(res).error.code).toBe('peer-not-found');
    const two = await run(['exec', 'laptop', 'desk', '--json', '--', 'ls']);
    expect(two.code).toBe(2);
    expect(json<{ error: { code: string } }>(two).error.code).toBe('usage-error');
  });
});
