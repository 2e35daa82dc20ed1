import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { AiTask, AiTaskEvent, PermissionRequest } from '../../server/protocol/index.js';
import { fakeAgentEnv } from '../helpers/agents.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { isAlive, waitFor } from '../helpers/proc.js';

const FINAL = ['succeeded', 'failed', 'canceled', 'timed-out', 'interrupted', 'lost'];

async function ended(c: FerryClient, id: string, timeoutMs = 20_000): Promise<AiTask> {
  let t: AiTask | undefined;
  await waitFor(async () => FINAL.includes((t = await c.aiTask(id)).status), timeoutMs, `task ${id} to end`);
  return t!;
}

async function pendingPermission(c: FerryClient, id: string): Promise<PermissionRequest> {
  let p: PermissionRequest | undefined;
  await waitFor(async () => !!(p = (await c.aiTask(id)).permissions.find((x) => x.status === 'pending')), 15_000, 'a pending permission request');
  return p!;
}

async function allEvents(c: FerryClient, id: string): Promise<AiTaskEvent[]> {
  return (await c.aiTaskEvents(id, { limit: 1000 })).items;
}

async function errorOf(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FerryError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const types = (events: AiTaskEvent[]) => events.map((e) => e.type);

describe('AI tasks on one daemon', () => {
  let d: SpawnedDaemon;
  let log: string;
  beforeAll(async () => {
    log = path.join(tempHome('ferry-agentlog-'), 'agent.jsonl');
    d = await spawnDaemon({ env: { ...fakeAgentEnv(log), FERRY_AI_TASKS_PERMISSION_TIMEOUT_MS: '3000' } });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('runs a prompt with Claude Code, records its steps in order, and keeps its answer', async () => {
    const secretish = 'say the prompt travels on stdin ' + 'x'.repeat(50);
    const created = await d.client.createAiTask({ prompt: `${secretish}\nsay done` });
    expect(['queued', 'running']).toContain(created.status);
    expect(created.agent).toBe('claude');
    const t = await ended(d.client, created.id);
    expect(t.status).toBe('succeeded');
    expect(t.result).toBe('done');
    expect(t.costUsd).toBeCloseTo(0.0123);
    expect(t.sessionId).toMatch(/^fake-\d+$/);
    expect(t.exitCode).toBe(0);
    const events = await allEvents(d.client, t.id);
    expect(types(events)).toEqual(['status', 'status', 'text', 'text', 'result', 'status']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[2]!.data.text).toBe(secretish.slice(4));
    expect(events.at(-1)!.data.status).toBe('succeeded');
    // The prompt went on stdin, never on the command line; the task token is in no argv either.
    const run = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; stdinBytes: number; env: Record<string, string> }).at(-1)!;
    expect(run.stdinBytes).toBe(Buffer.byteLength(`${secretish}\nsay done`));
    expect(run.argv.join(' ')).not.toContain('stdin');
    expect(run.argv).toContain('--permission-prompt-tool');
    expect(Object.keys(run.env)).not.toContain('FERRY_TASK_TOKEN');
    // The per-task MCP config (with the token) is gone once the task ends.
    expect(fs.existsSync(path.join(d.home, 'ai-tasks', t.id))).toBe(false);
  });

  it('holds a tool permission request until it is allowed, and the agent then uses the tool', async () => {
    const created = await d.client.createAiTask({ prompt: 'say before\ntool Bash {"command":"ls -la"}\nsay after' });
    const p = await pendingPermission(d.client, created.id);
    expect(p).toMatchObject({ tool: 'Bash', input: { command: 'ls -la' }, status: 'pending', decidedAt: null });
    const running = await d.client.aiTask(created.id);
    expect(running.status).toBe('running');
    expect(running.pendingPermissions).toBe(1);
    // While the agent waits, its MCP config is private to the daemon's user.
    expect(fs.statSync(path.join(d.home, 'ai-tasks', created.id, 'mcp.json')).mode & 0o777).toBe(0o600);
    const decided = await d.client.decidePermission(created.id, p.id, { behavior: 'allow' });
    expect(decided).toMatchObject({ status: 'allowed', decidedBy: 'local' });

    const t = await ended(d.client, created.id);
    expect(t.status).toBe('succeeded');
    expect(t.pendingPermissions).toBe(0);
    // The agent's request is audited as its task (the audit log is written in batches).
    await waitFor(async () => (await d.client.audit({ action: 'ai-tasks.permission-prompt' })).items.some((a) => a.principal === `task:${created.id}`), 10_000, 'the audit record');
    const events = await allEvents(d.client, t.id);
    expect(types(events)).toEqual(['status', 'status', 'text', 'tool-use', 'permission-request', 'permission-decision', 'tool-result', 'text', 'result', 'status']);
    expect(events[6]!.data).toMatchObject({ isError: false, content: 'ran Bash {"command":"ls -la"}' });
    // A decided request cannot be decided again.
    const again = await errorOf(d.client.decidePermission(t.id, p.id, { behavior: 'deny' }));
    expect([again.status, again.code]).toEqual([409, 'permission-already-decided']);
  });

  it('tells the agent why a request was denied', async () => {
    const created = await d.client.createAiTask({ prompt: 'tool Write {"file_path":"/etc/passwd"}\nsay gave up' });
    const p = await pendingPermission(d.client, created.id);
    await d.client.decidePermission(created.id, p.id, { behavior: 'deny', message: 'not that file' });
    const t = await ended(d.client, created.id);
    expect(t.status).toBe('succeeded');
    const result = (await allEvents(d.client, t.id)).find((e) => e.type === 'tool-result')!;
    expect(result.data).toMatchObject({ isError: true, content: 'denied: not that file' });
    expect(t.permissions[0]).toMatchObject({ status: 'denied', message: 'not that file' });
  });

  it('denies a request nobody answers in time (aiTasks.permissionTimeoutMs)', async () => {
    const created = await d.client.createAiTask({ prompt: 'tool Bash {"command":"make"}' });
    const t = await ended(d.client, created.id);
    expect(t.permissions[0]).toMatchObject({ status: 'expired', decidedBy: 'timeout' });
    const result = (await allEvents(d.client, t.id)).find((e) => e.type === 'tool-result')!;
    expect(result.data.content).toBe('denied: nobody answered this permission request in time');
  });

  it('refuses bad dispatches with stable codes', async () => {
    const cases: [unknown, number, string][] = [
      [{ prompt: '' }, 400, 'validation-failed'],
      [{ prompt: 'x', agent: 'copilot' }, 400, 'validation-failed'],
      [{ prompt: 'x', extra: 1 }, 400, 'validation-failed'],
      [{ prompt: 'a\0b' }, 400, 'validation-failed'],
      [{ prompt: 'x', model: '--dangerously-skip-permissions' }, 400, 'validation-failed'],
      [{ prompt: 'x', timeoutMs: 48 * 3600_000 }, 400, 'validation-failed'],
      [{ prompt: 'x', cwd: '/no/such/dir' }, 400, 'cwd-not-found'],
    ];
    for (const [body, status, code] of cases) {
      const e = await errorOf(d.client.request('POST', '/ai-tasks', { body }));
      expect([e.status, e.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const e = await errorOf(d.client.aiTask('0000000000000000'));
    expect([e.status, e.code]).toEqual([404, 'ai-task-not-found']);
    const p = await errorOf(d.client.decidePermission('0000000000000000', 'abc', { behavior: 'allow' }));
    expect(p.code).toBe('ai-task-not-found');
    const done = (await d.client.aiTasks({ status: 'succeeded' })).items[0]!;
    const np = await errorOf(d.client.decidePermission(done.id, 'nope', { behavior: 'allow' }));
    expect([np.status, np.code]).toEqual([404, 'permission-not-found']);
    const bad = await errorOf(d.client.request('POST', `/ai-tasks/${done.id}/permissions/nope`, { body: { behavior: 'maybe' } }));
    expect(bad.code).toBe('validation-failed');
    const cancel = await errorOf(d.client.cancelAiTask(done.id));
    expect([cancel.status, cancel.code]).toEqual([409, 'ai-task-not-running']);
  });

  it('answers the permission-prompt route only with its task token', async () => {
    const created = await d.client.createAiTask({ prompt: 'sleep 3000' });
    const url = `${d.url}/api/v1/ai-tasks/${created.id}/permission-prompt`;
    const body = JSON.stringify({ tool: 'Bash', input: { command: 'id' } });
    const headers = { 'content-type': 'application/json' };
    const none = await fetch(url, { method: 'POST', headers, body });
    expect(none.status).toBe(401);
    const wrong = await fetch(url, { method: 'POST', headers: { ...headers, 'x-ferry-task-token': 'guess' }, body });
    expect(wrong.status).toBe(401);
    // The admin token does not make the daemon ask on an agent's behalf either.
    const admin = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${d.token}` }, body });
    expect(admin.status).toBe(404);
    expect((await d.client.aiTask(created.id)).permissions).toEqual([]);
    await d.client.cancelAiTask(created.id);
    expect((await ended(d.client, created.id)).status).toBe('canceled');
  });

  it('cancels a running task with its whole process group, and a failing agent fails the task', async () => {
    const pidFile = path.join(tempHome('ferry-pid-'), 'child.pid');
    const created = await d.client.createAiTask({ prompt: `spawn-child ${pidFile}\nsleep 60000` });
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').length > 0, 10_000, 'the grandchild');
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(isAlive(child)).toBe(true);
    await d.client.cancelAiTask(created.id);
    const t = await ended(d.client, created.id);
    expect(t.status).toBe('canceled');
    await waitFor(() => !isAlive(child), 10_000, 'the grandchild to be killed');

    const failing = await d.client.createAiTask({ prompt: 'stderr something broke\nsay oops\nexit 3' });
    const f = await ended(d.client, failing.id);
    expect(f.status).toBe('failed');
    expect(f.exitCode).toBe(3);
    expect(f.error?.code).toBe('agent-failed');
    expect(f.error?.message).toContain('exited with 3');
    const ev = await allEvents(d.client, f.id);
    expect(ev.find((e) => e.type === 'stderr')?.data.text).toContain('something broke');
  });

  it('stops a task at its timeout', async () => {
    const created = await d.client.createAiTask({ prompt: 'sleep 60000', timeoutMs: 1500 });
    const t = await ended(d.client, created.id);
    expect(t.status).toBe('timed-out');
    expect(t.error?.code).toBe('timed-out');
  });

  it('streams events from any point: follow with since, then live, then the end', async () => {
    const created = await d.client.createAiTask({ prompt: 'say one\nsleep 400\nsay two\nsleep 400\nsay three' });
    await waitFor(async () => (await d.client.aiTask(created.id)).eventCount >= 3, 10_000, 'the first text');
    const seen: AiTaskEvent[] = [];
    let end: AiTask | undefined;
    for await (const item of d.client.followAiTask(created.id, { since: 2 })) {
      if (item.type === 'event') seen.push(item.event);
      else end = item.task;
    }
    expect(seen[0]!.seq).toBe(3);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 3));
    expect(seen.filter((e) => e.type === 'text').map((e) => e.data.text)).toEqual(['one', 'two', 'three']);
    expect(end?.status).toBe('succeeded');
    // Following an ended task replays and ends at once; a page says it is over.
    const replay = [];
    for await (const item of d.client.followAiTask(created.id, { since: end!.eventCount - 1 })) replay.push(item.type);
    expect(replay).toEqual(['event', 'end']);
    const pageEnd = await d.client.aiTaskEvents(created.id, { since: end!.eventCount });
    expect(pageEnd).toMatchObject({ items: [], nextSince: end!.eventCount, ended: true, status: 'succeeded' });
  });

  it('reads Gemini CLI and Codex CLI output into the same events', async () => {
    const g = await ended(d.client, (await d.client.createAiTask({ agent: 'gemini', prompt: 'say hello from gemini\ntool run_shell_command {"command":"ls"}' })).id);
    expect(g.status).toBe('succeeded');
    expect(g.result).toBe('hello from gemini');
    const gev = await allEvents(d.client, g.id);
    // Streamed deltas are joined into one text event.
    expect(gev.filter((e) => e.type === 'text').map((e) => e.data.text)).toEqual(['hello from gemini']);
    expect(gev.find((e) => e.type === 'tool-result')?.data.isError).toBe(true);
    expect(gev.find((e) => e.type === 'status' && e.data.status === 'running')?.data.permissionPrompts).toBe(false);

    const c = await ended(d.client, (await d.client.createAiTask({ agent: 'codex', model: 'gpt-5-codex', prompt: 'tool shell {"cmd":"ls"}\nsay hello from codex' })).id);
    expect(c.status).toBe('succeeded');
    expect(c.result).toBe('hello from codex');
    expect(c.model).toBe('gpt-5-codex');
    expect(types(await allEvents(d.client, c.id))).toEqual(['status', 'status', 'tool-use', 'tool-result', 'text', 'result', 'status']);
    const run = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { agent: string; argv: string[] }).at(-1)!;
    expect(run).toMatchObject({ agent: 'codex', argv: ['exec', '--json', '--model', 'gpt-5-codex', '-'] });

    const cf = await ended(d.client, (await d.client.createAiTask({ agent: 'codex', prompt: 'say could not\nexit 1' })).id);
    expect(cf.status).toBe('failed');
  });

  it('lists newest first with paging, and filters by status', async () => {
    const first = await d.client.aiTasks({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await d.client.aiTasks({ limit: 2, cursor: first.nextCursor! });
    expect(second.items[0]!.createdAt <= first.items[1]!.createdAt).toBe(true);
    expect(new Set([...first.items, ...second.items].map((t) => t.id)).size).toBe(4);
    const failed = await d.client.aiTasks({ status: 'failed' });
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((t) => t.status === 'failed')).toBe(true);
  });
});

describe('AI task queue, limits and crashes', () => {
  it('runs at most maxConcurrent at once and starts the rest in order; a queued task can be cancelled', async () => {
    const d = await spawnDaemon({ env: { ...fakeAgentEnv(), FERRY_AI_TASKS_MAX_CONCURRENT: '1', FERRY_AI_TASKS_MAX_QUEUED: '2' } });
    try {
      const a = await d.client.createAiTask({ prompt: 'sleep 1500\nsay a' });
      const b = await d.client.createAiTask({ prompt: 'say b' });
      const c = await d.client.createAiTask({ prompt: 'say c' });
      expect(a.status).toBe('running');
      expect([b.status, c.status]).toEqual(['queued', 'queued']);
      expect((await d.client.status()).aiTasks).toMatchObject({ running: 1, queued: 2 });
      const full = await errorOf(d.client.createAiTask({ prompt: 'say d' }));
      expect([full.status, full.code]).toEqual([429, 'too-many-ai-tasks']);
      expect((await d.client.cancelAiTask(c.id)).status).toBe('canceled');
      const tb = await ended(d.client, b.id);
      const ta = await d.client.aiTask(a.id);
      expect(tb.status).toBe('succeeded');
      expect(ta.status).toBe('succeeded');
      expect(Date.parse(tb.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ta.endedAt!));
      expect((await d.client.aiTask(c.id)).startedAt).toBeNull();
      expect((await d.client.status()).aiTasks).toEqual({ running: 0, queued: 0, maxConcurrent: 1, agents: { claude: true, gemini: true, codex: true } });
    } finally {
      await d.stop();
    }
  });

  it('keeps the event log bounded but still records the result', async () => {
    const d = await spawnDaemon({ env: { ...fakeAgentEnv(), FERRY_AI_TASKS_MAX_EVENTS: '100' } });
    try {
      const t = await ended(d.client, (await d.client.createAiTask({ prompt: 'spam 300\nsay last' })).id);
      expect(t.status).toBe('succeeded');
      expect(t.result).toBe('last');
      const ev = (await d.client.aiTaskEvents(t.id, { limit: 1000 })).items;
      expect(ev.length).toBeLessThanOrEqual(104);
      expect(ev.some((e) => e.type === 'notice' && e.data.truncated === true)).toBe(true);
      expect(ev.at(-2)!.type).toBe('result');
      expect(ev.at(-1)!.data.status).toBe('succeeded');
    } finally {
      await d.stop();
    }
  });

  it('says which agent is missing', async () => {
    const d = await spawnDaemon({ env: { FERRY_AI_TASKS_COMMANDS_GEMINI: 'no-such-gemini-here' } });
    try {
      const e = await errorOf(d.client.createAiTask({ agent: 'gemini', prompt: 'hi' }));
      expect([e.status, e.code]).toEqual([422, 'agent-not-installed']);
      expect(e.message).toContain('aiTasks.commands.gemini');
      expect((await d.client.status()).aiTasks.agents.gemini).toBe(false);
    } finally {
      await d.stop();
    }
  });

  it('after kill -9: the running task is lost and its processes killed, a queued one runs on the next start', async () => {
    const env = { ...fakeAgentEnv(), FERRY_AI_TASKS_MAX_CONCURRENT: '1' };
    const d = await spawnDaemon({ env });
    const pidFile = path.join(tempHome('ferry-pid-'), 'child.pid');
    const running = await d.client.createAiTask({ prompt: `spawn-child ${pidFile}\ntool Bash {"command":"ls"}\nsleep 60000` });
    const queued = await d.client.createAiTask({ prompt: 'say after the crash' });
    await pendingPermission(d.client, running.id);
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    await d.kill();
    expect(isAlive(child), 'the agent outlives a SIGKILLed daemon (own process group)').toBe(true);
    const again = await spawnDaemon({ home: d.home, env });
    try {
      const lost = await again.client.aiTask(running.id);
      expect(lost.status).toBe('lost');
      expect(lost.error?.code).toBe('daemon-stopped');
      expect(lost.permissions[0]!.status).toBe('expired');
      await waitFor(() => !isAlive(child), 10_000, 'the orphaned agent group to be killed');
      const q = await ended(again.client, queued.id);
      expect(q.status).toBe('succeeded');
      expect(q.result).toBe('after the crash');
      expect(fs.readdirSync(path.join(d.home, 'ai-tasks')).filter((f) => f !== queued.id)).toEqual([]);
    } finally {
      await again.stop();
    }
  });

  it('on a graceful stop, a running task is interrupted and a queued one waits for the next start', async () => {
    const env = { ...fakeAgentEnv(), FERRY_AI_TASKS_MAX_CONCURRENT: '1' };
    const d = await spawnDaemon({ env });
    const running = await d.client.createAiTask({ prompt: 'sleep 60000' });
    const queued = await d.client.createAiTask({ prompt: 'say later' });
    await waitFor(async () => (await d.client.aiTask(running.id)).status === 'running', 10_000, 'running');
    expect(await d.stop()).toBe(0);
    const again = await spawnDaemon({ home: d.home, env });
    try {
      expect((await again.client.aiTask(running.id)).status).toBe('interrupted');
      expect((await ended(again.client, queued.id)).status).toBe('succeeded');
    } finally {
      await again.stop();
    }
  });
});

describe('AI tasks on a peer', () => {
  let a: SpawnedDaemon;
  let b: SpawnedDaemon;
  let bOnA: string;
  let aOnB: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([spawnDaemon({ env: fakeAgentEnv() }), spawnDaemon({ env: fakeAgentEnv() })]);
    // B grants A "trusted" (AI tasks: full); A grants B "read-only".
    const p = await pair(b, a, { inviter: 'trusted', joiner: 'read-only' });
    bOnA = p.inviterOnJoiner;
    aOnB = p.joinerOnInviter;
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('A dispatches to B by name, sees the permission request and decides it; the task ran on B', async () => {
    const onB = a.client.forPeer(bOnA);
    // What B can run is part of what it shows its peers.
    expect((await onB.peerStatus()).aiTasks.agents).toEqual({ claude: true, gemini: true, codex: true });
    const created = await onB.createAiTask({ prompt: 'tool Bash {"command":"hostname"}\nsay ran on b' });
    const p = await pendingPermission(onB, created.id);
    await onB.decidePermission(created.id, p.id, { behavior: 'allow' });
    const seen: string[] = [];
    for await (const item of onB.followAiTask(created.id)) seen.push(item.type === 'event' ? item.event.type : `end:${item.task.status}`);
    expect(seen.at(-1)).toBe('end:succeeded');
    expect(seen).toContain('permission-decision');
    // On B: the task is there, dispatched by A (its certificate), decided by A.
    const onBItself = await b.client.aiTask(created.id);
    expect(onBItself.principal).toMatch(/^peer:/);
    expect(onBItself.permissions[0]!.decidedBy).toBe(onBItself.principal);
    // Not on A.
    expect((await errorOf(a.client.aiTask(created.id))).code).toBe('ai-task-not-found');
  });

  it('a peer sees only its own tasks on B', async () => {
    const mine = await b.client.createAiTask({ prompt: 'say local to b' });
    const onB = a.client.forPeer(bOnA);
    expect((await errorOf(onB.aiTask(mine.id))).code).toBe('ai-task-not-found');
    expect((await errorOf(onB.cancelAiTask(mine.id))).code).toBe('ai-task-not-found');
    expect((await onB.aiTasks()).items.map((t) => t.id)).not.toContain(mine.id);
    expect((await b.client.aiTasks()).items.map((t) => t.id)).toContain(mine.id);
  });

  it('follows the peer policy: off refuses, ask waits for a person on B', async () => {
    const onA = b.client.forPeer(aOnB);
    const off = await errorOf(onA.createAiTask({ prompt: 'say hi' }));
    expect([off.status, off.code]).toEqual([403, 'scope-denied']);

    await b.client.updatePeer(aOnB, { policy: 'collaborator' });
    const onB = a.client.forPeer(bOnA);
    const dispatch = onB.createAiTask({ prompt: 'say approved by a person' });
    let approvalId: string | undefined;
    await waitFor(async () => !!(approvalId = (await b.client.approvals('pending')).items.find((x) => x.scope === 'ai-tasks')?.id), 10_000, 'an approval on B');
    await b.client.decideApproval(approvalId!, 'approve');
    const t = await ended(onB, (await dispatch).id);
    expect(t.result).toBe('approved by a person');
    await b.client.updatePeer(aOnB, { policy: 'trusted' });
  });
});
