import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FerryClient } from '../../server/client/index.js';
import type { AgentName, AiTask, AiTaskEvent, AiTaskPage, PermissionRequest } from '../../server/protocol/index.js';
import { aiTaskExitCode } from '../../cli/lib/ai-follow.js';
import { PermissionDesk } from '../../cli/lib/ai-permissions.js';
import { TaskPrinter } from '../../cli/lib/ai-stream.js';
import { Output } from '../../cli/output.js';
import { painter } from '../../cli/style.js';
import { inputSummary } from '../../cli/views/ai-tasks.js';
import { fakeAgentEnv } from '../helpers/agents.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/files.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { converse, ended, hasScript } from './interactive.js';
import { ferry, json, spawnFerry } from './run.js';

type ErrorDoc = { error: { code: string; message: string; details?: Record<string, unknown> } };

const FINAL = ['succeeded', 'failed', 'canceled', 'timed-out', 'interrupted', 'lost'];

async function endOf(c: FerryClient, id: string): Promise<AiTask> {
  let t: AiTask | undefined;
  await waitFor(async () => FINAL.includes((t = await c.aiTask(id)).status), 20_000, `task ${id} to end`);
  return t!;
}

async function pendingPermission(c: FerryClient, id: string): Promise<PermissionRequest> {
  let p: PermissionRequest | undefined;
  await waitFor(async () => !!(p = (await c.aiTask(id)).permissions.find((x) => x.status === 'pending')), 15_000, 'a pending permission request');
  return p!;
}

/** The task and permission ids in the command that `ferry ai run` prints for a request it does not ask about. */
const ALLOW_COMMAND = /ferry ai allow ([0-9a-f]{16}) ([0-9a-f]+)/;

/** What a TaskPrinter writes for these events, stdout and stderr apart (piped: no colour). */
function printed(agent: AgentName, events: Omit<AiTaskEvent, 'seq' | 'at'>[]): { stdout: string; stderr: string } {
  const sink = () => {
    const s = { text: '', isTTY: false, write: (chunk: string) => ((s.text += chunk), true) };
    return s;
  };
  const stdout = sink();
  const stderr = sink();
  const out = new Output({ json: false, noColor: true, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
  const desk = new PermissionDesk({ client: null as unknown as FerryClient, taskId: 't', agent, peer: undefined, ask: false, paint: painter(false), say: (l) => stderr.write(`${l}\n`), onBusy: () => undefined });
  const printer = new TaskPrinter(out, { agent, quiet: false, desk });
  events.forEach((e, i) => printer.event({ ...e, seq: i + 1, at: '2026-11-21T10:00:00.000Z' }));
  printer.finish();
  return { stdout: stdout.text, stderr: stderr.text };
}

describe('how ferry ai shows a task', () => {
  it('joins the pieces Gemini streams, and puts each Claude message on a line of its own', () => {
    const text = (t: string) => ({ type: 'text' as const, data: { text: t } });
    const tool = { type: 'tool-use' as const, data: { id: '1', name: 'Bash', input: { command: 'ls' } } };
    expect(printed('gemini', [text('hello '), text('wor'), text('ld'), tool, text('next')])).toEqual({ stdout: 'hello world\nnext\n', stderr: '⚙ Bash ls\n' });
    expect(printed('claude', [text('one'), text('two\n'), text('three')]).stdout).toBe('one\ntwo\nthree\n');
  });

  it('says what a tool call is about: its command, its file, else its input as JSON', () => {
    expect(inputSummary({ command: 'rm -rf build', description: 'clean' })).toBe('rm -rf build');
    expect(inputSummary({ file_path: '/etc/hosts', content: 'x' })).toBe('/etc/hosts');
    expect(inputSummary({ a: 1 })).toBe('{"a":1}');
    expect(inputSummary({ command: 'x'.repeat(300) }, 20)).toHaveLength(20);
  });

  it('exits 0 succeeded, 124 timed out, 130 after Ctrl-C canceled it, 1 for any other end', () => {
    const t = (status: AiTask['status']) => ({ status }) as AiTask;
    expect(aiTaskExitCode(t('succeeded'), null)).toBe(0);
    expect(aiTaskExitCode(t('timed-out'), null)).toBe(124);
    expect(aiTaskExitCode(t('canceled'), 'SIGINT')).toBe(130);
    expect(aiTaskExitCode(t('running'), 'SIGTERM')).toBe(143);
    // It ended on its own before our cancel took effect: its own end counts.
    expect(aiTaskExitCode(t('succeeded'), 'SIGINT')).toBe(0);
    for (const s of ['failed', 'canceled', 'interrupted', 'lost'] as const) expect(aiTaskExitCode(t(s), null)).toBe(1);
  });
});

describe('ferry ai on this machine', () => {
  let d: SpawnedDaemon;
  beforeAll(async () => {
    d = await spawnDaemon({ env: fakeAgentEnv() });
  });
  afterAll(async () => {
    await d?.stop();
  });
  const run = (args: string[], input?: string) => ferry(args, { home: d.home, ...(input !== undefined && { input }) });

  it('run streams the agent\'s text to stdout and its steps to stderr, and exits 0', async () => {
    const res = await run(['ai', 'run', 'say hello\nstderr warming up\nsay world']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('hello\nworld\n');
    const id = /AI task ([0-9a-f]{16})/.exec(res.stderr)?.[1];
    expect(id, res.stderr).toBeDefined();
    expect(res.stderr).toContain('│ warming up');
    expect(res.stderr).toMatch(/succeeded in \S+ · \$0\.0123/);
    const task = await d.client.aiTask(id!);
    expect(task).toMatchObject({ status: 'succeeded', agent: 'claude', prompt: 'say hello\nstderr warming up\nsay world' });
  });

  it('- reads the prompt from stdin; --json prints only the final task, with the agent, model and cwd it was given', async () => {
    const cwd = tempHome('ferry-ai-cwd-');
    const res = await run(['ai', 'run', '--json', '--agent', 'codex', '--model', 'gpt-5-codex', '--cwd', cwd, '-'], 'tool shell {"cmd":"ls"}\nsay hello from codex\n');
    expect(res.code, res.stderr).toBe(0);
    expect(json<AiTask>(res)).toMatchObject({ status: 'succeeded', agent: 'codex', model: 'gpt-5-codex', cwd, result: 'hello from codex', prompt: 'tool shell {"cmd":"ls"}\nsay hello from codex' });
  });

  it('a failing agent exits 1 and says why; one past --timeout exits 124', async () => {
    const failed = await run(['ai', 'run', 'say could not\nexit 3']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('[agent-failed]');
    expect(failed.stderr).toContain('exited with 3');
    const asJson = await run(['ai', 'run', '--json', 'say could not\nexit 3']);
    expect(asJson.code).toBe(1);
    expect(json<AiTask>(asJson)).toMatchObject({ status: 'failed', error: { code: 'agent-failed' } });

    const slow = await run(['ai', 'run', '--timeout', '1s', 'sleep 60000']);
    expect(slow.code).toBe(124);
    expect(slow.stderr).toContain('timed out after 1s');
  });

  it('without a terminal, a permission request is printed with the commands that answer it, and the run waits for the decision', async () => {
    const c = converse(['ai', 'run', 'say before\ntool Bash {"command":"ls -la"}\nsay after'], { home: d.home });
    const [, taskId, permissionId] = await c.waitFor(ALLOW_COMMAND);
    expect(c.stderr()).toContain(`ferry ai deny ${taskId} ${permissionId}`);
    expect(c.stderr()).toContain('claude asks to use Bash ls -la');
    // It keeps waiting, and so does the agent.
    expect(await d.client.aiTask(taskId!)).toMatchObject({ status: 'running', pendingPermissions: 1 });
    expect(c.child.exitCode).toBeNull();
    expect(c.stdout()).toBe('before\n');
    await d.client.decidePermission(taskId!, permissionId!, { behavior: 'allow' });
    expect((await ended(c)).code).toBe(0);
    expect(c.stdout()).toBe('before\nafter\n');
    expect(c.stderr()).toContain('allowed by local: Bash ls -la');
    expect(c.stderr()).toContain('↳ ok: ran Bash');
  });

  it.skipIf(!hasScript)('at a terminal, it asks; y allows the tool', async () => {
    const c = converse(['ai', 'run', 'say before\ntool Bash {"command":"ls -la"}\nsay after'], { home: d.home, tty: true });
    await c.waitFor('Allow Bash ls -la? [y/N]');
    c.type('y');
    expect((await ended(c)).code).toBe(0);
    const screen = c.screen();
    expect(screen).toContain('allowed by local: Bash ls -la');
    expect(screen).toMatch(/after\n/);
    const id = /AI task ([0-9a-f]{16})/.exec(screen)![1]!;
    expect((await d.client.aiTask(id)).permissions[0]).toMatchObject({ status: 'allowed', decidedBy: 'local' });
  });

  it.skipIf(!hasScript)('at a terminal, anything but y denies it, and the agent is told', async () => {
    const c = converse(['ai', 'run', 'tool Write {"file_path":"/etc/passwd"}\nsay gave up'], { home: d.home, tty: true });
    await c.waitFor('Allow Write /etc/passwd? [y/N]');
    c.type('');
    expect((await ended(c)).code).toBe(0);
    expect(c.screen()).toContain('denied by local: Write /etc/passwd');
    expect(c.screen()).toContain('↳ error: denied');
    const id = /AI task ([0-9a-f]{16})/.exec(c.screen())![1]!;
    const events = (await d.client.aiTaskEvents(id, { limit: 1000 })).items;
    expect(events.find((e) => e.type === 'tool-result')?.data).toMatchObject({ isError: true });
  });

  it.skipIf(!hasScript)('at a terminal, a request decided elsewhere takes its question away', async () => {
    const c = converse(['ai', 'run', 'tool Bash {"command":"make"}\nsay built\nsleep 8000'], { home: d.home, tty: true });
    await c.waitFor('Allow Bash make? [y/N]');
    const id = /AI task ([0-9a-f]{16})/.exec(c.screen())![1]!;
    const p = await pendingPermission(d.client, id);
    await d.client.decidePermission(id, p.id, { behavior: 'allow' });
    // What the agent does next shows at once, while it still runs: nothing waits behind the question.
    await c.waitFor(/allowed by local: Bash make\n[^]*built\n/, 6000);
    expect(c.child.exitCode).toBeNull();
    expect((await ended(c)).code).toBe(0);
  });

  it('--detach prints the task id at once; show --follow streams it to its end', async () => {
    const res = await run(['ai', 'run', '--detach', 'say one\nsleep 600\nsay two']);
    expect(res.code, res.stderr).toBe(0);
    const id = res.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(res.stderr).toContain(`ferry ai show ${id} --follow`);
    const follow = await run(['ai', 'show', id, '--follow']);
    expect(follow.code, follow.stderr).toBe(0);
    expect(follow.stdout).toBe('one\ntwo\n');
    // --json --follow: one line per event, the end last.
    const lines = (await run(['ai', 'show', id, '--follow', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; event?: AiTaskEvent; task?: AiTask });
    expect(lines.at(-1)).toMatchObject({ type: 'end', task: { id, status: 'succeeded' } });
    expect(lines.slice(0, -1).map((l) => l.event!.seq)).toEqual(lines.slice(0, -1).map((_, i) => i + 1));
    const detachedJson = json<AiTask>(await run(['ai', 'run', '--detach', '--json', 'say later']));
    expect(['queued', 'running']).toContain(detachedJson.status);
  });

  it('list, show and cancel: a task waiting on a permission, then canceled', async () => {
    const id = (await run(['ai', 'run', '--detach', 'tool Bash {"command":"rm -rf build"}\nsay done'])).stdout.trim();
    const p = await pendingPermission(d.client, id);

    const listed = json<AiTaskPage>(await run(['ai', 'list', '--json', '--status', 'running']));
    expect(listed.items.find((t) => t.id === id)).toMatchObject({ status: 'running', pendingPermissions: 1 });
    // Piped: id, agent, status, pending permissions, duration, createdAt, title.
    const plain = await run(['ai', 'list']);
    expect(plain.stdout).toMatch(new RegExp(`^${id}\\tclaude\\trunning\\t1\\t-\\t\\S+\\ttool Bash \\{"command":"rm -rf build"\\}$`, 'm'));
    expect(plain.stderr).toContain('1 task waits for a permission decision');

    const shown = await run(['ai', 'show', id]);
    expect(shown.stdout).toMatch(/status\s+running/);
    expect(shown.stdout).toContain('── prompt ──\ntool Bash {"command":"rm -rf build"}\nsay done');
    expect(shown.stdout).toContain(`${p.id}  pending`);
    expect(shown.stdout).toContain(`ferry ai allow ${id} ${p.id}`);

    const canceled = await run(['ai', 'cancel', id]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toBe(`canceled ${id}\n`);
    const after = json<AiTask>(await run(['ai', 'show', id, '--json']));
    expect(after).toMatchObject({ status: 'canceled', permissions: [{ id: p.id, status: 'expired', decidedBy: 'canceled' }] });
    const events = await run(['ai', 'show', id, '--events']);
    expect(events.stdout).toMatch(/^\s+1\s+\S+\s+status\s+queued$/m);
    expect(events.stdout).toMatch(/permission-request\s+\S+ Bash rm -rf build/);
    expect(events.stdout).toMatch(/status\s+canceled$/m);

    const again = await run(['ai', 'cancel', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[ai-task-not-running]');
    expect(again.stderr).toContain(`hint: it already ended: see it with \`ferry ai show ${id}\``);
  });

  it('allow and deny by command: deny --message tells the agent why; a request cannot be decided twice', async () => {
    const id = (await run(['ai', 'run', '--detach', 'tool Write {"file_path":"/etc/hosts"}\ntool Bash {"command":"make"}\nsay done'])).stdout.trim();
    const first = await pendingPermission(d.client, id);
    const denied = await run(['ai', 'deny', id, first.id, '--message', 'not that file']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toBe(`denied ${first.id}: Write /etc/hosts (AI task ${id})\n`);
    let second: PermissionRequest | undefined;
    await waitFor(async () => !!(second = (await d.client.aiTask(id)).permissions.find((x) => x.id !== first.id && x.status === 'pending')), 15_000, 'the second request');
    const allowed = json<PermissionRequest>(await run(['ai', 'allow', id, second!.id, '--json']));
    expect(allowed).toMatchObject({ id: second!.id, status: 'allowed', tool: 'Bash' });
    const t = await endOf(d.client, id);
    expect(t.status).toBe('succeeded');
    const results = (await d.client.aiTaskEvents(id, { limit: 1000 })).items.filter((e) => e.type === 'tool-result').map((e) => e.data.content);
    expect(results).toEqual(['denied: not that file', 'ran Bash {"command":"make"}']);

    const twice = await run(['ai', 'allow', id, first.id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('[permission-already-decided]');
    const unknown = await run(['ai', 'deny', id, 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(json<ErrorDoc>(unknown).error.code).toBe('permission-not-found');
  });

  it('bad input: an unknown agent or model is a usage error (2); an unknown task is ai-task-not-found (1) with a hint', async () => {
    const agent = await run(['ai', 'run', '--agent', 'copilot', 'hi']);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('copilot');
    const agentJson = await run(['ai', 'run', '--json', '--agent', 'copilot', 'hi']);
    expect(agentJson.code).toBe(2);
    expect(json<ErrorDoc>(agentJson).error.code).toBe('usage-error');
    expect((await run(['ai', 'run', '--model', '--dangerously-skip-permissions=1', 'hi'])).code).toBe(2);
    expect((await run(['ai', 'run', '-'], '\n')).code).toBe(2);
    const before = (await d.client.aiTasks({ limit: 500 })).items.length;

    const missing = await run(['ai', 'show', '0000000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[ai-task-not-found]');
    expect(missing.stderr).toContain('hint: list the AI tasks with `ferry ai list`');
    const missingJson = await run(['ai', 'cancel', '0000000000000000', '--json']);
    expect(missingJson.code).toBe(1);
    expect(json<ErrorDoc>(missingJson).error).toMatchObject({ code: 'ai-task-not-found', details: { id: '0000000000000000' } });
    // Nothing was dispatched by the usage errors.
    expect((await d.client.aiTasks({ limit: 500 })).items.length).toBe(before);
  });

  it('Ctrl-C cancels the task on the daemon, prints its id and exits 130', async () => {
    const child = spawnFerry(['ai', 'run', 'say started\nsleep 60000'], { home: d.home });
    child.stdin!.end();
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await waitFor(() => out.includes('started'), 10_000, 'the agent to start');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const id = /AI task ([0-9a-f]{16})/.exec(err)![1]!;
    expect(err).toContain(`ferry ai show ${id}`);
    expect((await d.client.aiTask(id)).status).toBe('canceled');
  });
});

describe('ferry ai when the daemon goes away', () => {
  it('resumes the event stream once the daemon is back, without repeating what it printed', async () => {
    // A fixed port: the daemon comes back where it was.
    const env = { ...fakeAgentEnv(), FERRY_PORT: String(await freePort()) };
    const first = await spawnDaemon({ env });
    const c = converse(['ai', 'run', 'say before the crash\nsleep 60000'], { home: first.home });
    await c.waitFor('before the crash\n');
    await first.kill();
    await c.waitFor('resuming after event');
    const again = await spawnDaemon({ home: first.home, env });
    try {
      // The restarted daemon finds the task's run lost; the stream picks up from the last event seen.
      expect((await ended(c, 45_000)).code).toBe(1);
      expect(c.stdout()).toBe('before the crash\n');
      expect(c.stderr()).toContain('the daemon died while the task ran');
    } finally {
      await again.stop();
    }
  }, 60_000);

  it('says which agent is not installed, and how to fix it', async () => {
    // A daemon without the fake agents, and nothing on its PATH to find.
    const d = await spawnDaemon({ env: { PATH: tempHome('ferry-empty-path-') } });
    try {
      const res = await ferry(['ai', 'run', '--agent', 'gemini', 'hi'], { home: d.home });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('[agent-not-installed]');
      expect(res.stderr).toContain('hint: install gemini on this machine');
      expect(res.stderr).toContain('aiTasks.commands.gemini');
      expect((await d.client.aiTasks()).items).toEqual([]);
    } finally {
      await d.stop();
    }
  });
});

describe('ferry ai on a paired machine', () => {
  let a: SpawnedDaemon;
  let b: SpawnedDaemon;
  let bOnA: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([spawnDaemon({ env: { FERRY_NAME: 'alpha' } }), spawnDaemon({ env: { ...fakeAgentEnv(), FERRY_NAME: 'bravo' } })]);
    bOnA = (await pair(a, b, { inviter: 'trusted', joiner: 'trusted' })).joinerOnInviter;
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('dispatches to the peer from this machine\'s CLI, and the permission is decided from here', async () => {
    const c = converse(['ai', 'run', bOnA, '--', 'tool Bash {"command":"hostname"}\nsay ran on bravo'], { home: a.home });
    const [, taskId, permissionId] = await c.waitFor(ALLOW_COMMAND);
    // The commands it prints are aimed at the peer.
    expect(c.stderr()).toContain(`ferry ai allow ${taskId} ${permissionId} --peer ${bOnA}`);
    const allowed = await ferry(['ai', 'allow', taskId!, permissionId!, '--peer', bOnA], { home: a.home });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect((await ended(c)).code).toBe(0);
    expect(c.stdout()).toBe('ran on bravo\n');

    // It ran on bravo, dispatched and decided by alpha (its certificate); alpha has no such task.
    const onB = await b.client.aiTask(taskId!);
    expect(onB.principal).toMatch(/^peer:/);
    expect(onB.permissions[0]).toMatchObject({ status: 'allowed', decidedBy: onB.principal });
    const here = await ferry(['ai', 'show', taskId!, '--json'], { home: a.home });
    expect(json<ErrorDoc>(here).error.code).toBe('ai-task-not-found');
    const there = json<AiTask>(await ferry(['ai', 'show', taskId!, '--json', '--peer', bOnA], { home: a.home }));
    expect(there).toMatchObject({ id: taskId, status: 'succeeded', result: 'ran on bravo' });
    const listed = json<AiTaskPage>(await ferry(['ai', 'list', '--json', '--peer', bOnA], { home: a.home }));
    expect(listed.items.map((t) => t.id)).toContain(taskId);
  });

  it('a task id the peer does not show is ai-task-not-found, with a hint that names the peer', async () => {
    const mine = await b.client.createAiTask({ prompt: 'say local to bravo' });
    const res = await ferry(['ai', 'cancel', mine.id, '--peer', bOnA], { home: a.home });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[ai-task-not-found]');
    expect(res.stderr).toContain(`\`ferry ai list --peer ${bOnA}\``);
  });
});
