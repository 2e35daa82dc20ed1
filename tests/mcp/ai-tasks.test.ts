import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenIdle } from '../../mcp/server.js';
import { FerryClient } from '../../server/client/index.js';
import type { AiTask, AiTaskEvent, AiTaskSummary, PermissionRequest } from '../../server/protocol/index.js';
import { fakeAgentEnv } from '../helpers/agents.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

// bravo runs the scripted fake agents (tests/fixtures/agents/fake-agent.mjs; the prompt is its
// script) and grants alpha "trusted". alpha has no agent at all. Each has an MCP client.
let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
/** What alpha calls bravo. */
let bravoOnAlpha: string;
let onAlpha: Connected;
let onBravo: Connected;

beforeAll(async () => {
  [alpha, bravo] = await Promise.all([
    spawnDaemon({ env: { FERRY_NAME: 'alpha', FERRY_AI_TASKS_COMMANDS_CLAUDE: 'ferry-no-such-claude-7c1e' } }),
    spawnDaemon({ env: { ...fakeAgentEnv(), FERRY_NAME: 'bravo' } }),
  ]);
  bravoOnAlpha = (await pair(bravo, alpha, { inviter: 'trusted', joiner: 'read-only' })).inviterOnJoiner;
  onAlpha = await connectMcp(alpha.client);
  onBravo = await connectMcp(bravo.client);
});
afterAll(async () => {
  await onAlpha?.close();
  await onBravo?.close();
  await Promise.all([alpha?.stop(), bravo?.stop()]);
});

type Args = Record<string, unknown>;
type TaskView = Omit<AiTask, 'prompt'>;
interface WaitResult {
  task: TaskView;
  outcome: 'ended' | 'permission-pending' | 'still-running';
  pending: PermissionRequest[];
  events: AiTaskEvent[];
  omittedEvents: number;
  nextSince: number;
}

const call = (c: Connected, name: string, args: Args) => c.mcp.callTool({ name, arguments: args });
function waitOf(result: unknown): WaitResult {
  expect((result as { isError?: boolean }).isError, textOf(result)).toBeFalsy();
  return structured<WaitResult>(result);
}
const types = (events: AiTaskEvent[]) => events.map((e) => e.type);

/** A task's final state, from the daemon's own event stream (no polling, no sleeps). */
async function finalState(client: FerryClient, id: string): Promise<AiTask> {
  for await (const item of client.followAiTask(id)) if (item.type === 'end') return item.task;
  return client.aiTask(id);
}

async function taskCount(): Promise<number> {
  return (await bravo.client.aiTasks({ limit: 500 })).items.length;
}

function expectGrowing(notes: Progress[]): void {
  const values = notes.map((n) => n.progress);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(new Set(values).size).toBe(values.length);
}

describe('ferry_dispatch_task and ferry_wait_for_task', () => {
  it('dispatches a prompt, reports its steps as progress, and returns its result when it ends', async () => {
    const notes: Progress[] = [];
    const result = await onBravo.mcp.callTool(
      { name: 'ferry_dispatch_task', arguments: { prompt: 'sleep 300\nsay hello from the agent\nsleep 300\nsay done' } },
      undefined,
      { onprogress: (p) => notes.push(p) },
    );
    const w = waitOf(result);
    expect(w.outcome).toBe('ended');
    expect(w.task).toMatchObject({ status: 'succeeded', agent: 'claude', result: 'done', exitCode: 0, title: 'sleep 300', pendingPermissions: 0 });
    expect(w.task).not.toHaveProperty('prompt');
    expect(types(w.events)).toEqual(['status', 'status', 'text', 'text', 'result', 'status']);
    expect(w.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([w.nextSince, w.omittedEvents, w.pending]).toEqual([6, 0, []]);
    const text = textOf(result);
    expect(text).toContain(`AI task ${w.task.id} (claude: "sleep 300") succeeded`);
    expect(text).toContain('--- result ---\ndone');
    expect(text).toContain('[3] text: hello from the agent');

    const messages = notes.map((n) => n.message);
    expect(messages[0]).toMatch(new RegExp(`^AI task ${w.task.id} \\(claude: "sleep 300"\\) is (queued|running)`));
    expect(messages).toContain('text: hello from the agent');
    expect(messages).toContain('status: succeeded');
    expectGrowing(notes);
  });

  it('passes the agent, model and timeout on, and answers the daemon\'s own refusals as errors', async () => {
    const w = waitOf(await call(onBravo, 'ferry_dispatch_task', { agent: 'codex', model: 'gpt-5-codex', timeoutSeconds: 120, prompt: 'say hi from codex' }));
    expect(w.task).toMatchObject({ agent: 'codex', model: 'gpt-5-codex', timeoutMs: 120_000, status: 'succeeded', result: 'hi from codex' });
    // Above the daemon's aiTasks.maxTimeoutMs (24 h): the daemon says no, with its code.
    const tooLong = await call(onBravo, 'ferry_dispatch_task', { prompt: 'say hi', timeoutSeconds: 2 * 86_400 });
    expect(errorOf(tooLong).code).toBe('validation-failed');
    expect(errorOf(tooLong).message).toContain('aiTasks.maxTimeoutMs');
  });

  it('returns as soon as a permission request waits; the request is allowed by tool and the task goes on', async () => {
    const notes: Progress[] = [];
    const first = await onBravo.mcp.callTool(
      { name: 'ferry_dispatch_task', arguments: { prompt: 'say before\ntool Bash {"command":"ls -la"}\nsay after' } },
      undefined,
      { onprogress: (p) => notes.push(p) },
    );
    const w = waitOf(first);
    const id = w.task.id;
    expect(w.outcome).toBe('permission-pending');
    expect(w.task).toMatchObject({ status: 'running', pendingPermissions: 1 });
    expect(w.pending).toEqual([expect.objectContaining({ tool: 'Bash', input: { command: 'ls -la' }, status: 'pending', taskId: id })]);
    expect(types(w.events)).toEqual(['status', 'status', 'text', 'tool-use', 'permission-request']);
    expect(w.nextSince).toBe(5);
    const permissionId = w.pending[0]!.id;
    expect(notes.map((n) => n.message)).toContain(`permission request ${permissionId}: Bash {"command":"ls -la"}`);
    const text = textOf(first);
    expect(text).toContain('waiting for a decision');
    expect(text).toContain(`- permission ${permissionId}: Bash {"command":"ls -la"}`);
    expect(text).toContain(`ferry_decide_task_permission {taskId: "${id}", permissionId`);
    expect(text).toContain(`ferry_wait_for_task {taskId: "${id}", since: 5}`);
    // The task really waits: nothing was decided behind the caller's back.
    expect((await bravo.client.aiTask(id)).permissions[0]!.status).toBe('pending');

    const decided = await call(onBravo, 'ferry_decide_task_permission', { taskId: id, permissionId, behavior: 'allow' });
    expect(decided.isError, textOf(decided)).toBeFalsy();
    expect(structured<{ permission: PermissionRequest }>(decided).permission).toMatchObject({ id: permissionId, status: 'allowed', decidedBy: 'local' });
    expect(textOf(decided)).toContain(`Allowed: the agent of AI task ${id} may use Bash`);
    const twice = await call(onBravo, 'ferry_decide_task_permission', { taskId: id, permissionId, behavior: 'deny' });
    expect(errorOf(twice).code).toBe('permission-already-decided');

    const rest = waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: id, since: w.nextSince }));
    expect(rest.outcome).toBe('ended');
    expect(rest.task).toMatchObject({ status: 'succeeded', result: 'after', pendingPermissions: 0 });
    expect(rest.task.permissions).toEqual([expect.objectContaining({ id: permissionId, status: 'allowed' })]);
    // Only what is new since the first call.
    expect(rest.events[0]!.seq).toBe(6);
    expect(types(rest.events)).toEqual(['permission-decision', 'tool-result', 'text', 'result', 'status']);
    expect(rest.events[1]!.data).toMatchObject({ isError: false, content: 'ran Bash {"command":"ls -la"}' });
    expect(rest.nextSince).toBe(rest.task.eventCount);
  });

  it('denies a request with a message the agent reads', async () => {
    const w = waitOf(await call(onBravo, 'ferry_dispatch_task', { prompt: 'tool Write {"file_path":"/etc/passwd"}\nsay gave up' }));
    expect(w.outcome).toBe('permission-pending');
    const denied = await call(onBravo, 'ferry_decide_task_permission', { taskId: w.task.id, permissionId: w.pending[0]!.id, behavior: 'deny', message: 'not that file' });
    expect(structured<{ permission: PermissionRequest }>(denied).permission).toMatchObject({ status: 'denied', message: 'not that file' });
    expect(textOf(denied)).toContain('Denied Write {"file_path":"/etc/passwd"}');

    const rest = waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: w.task.id, since: w.nextSince }));
    expect(rest.task).toMatchObject({ status: 'succeeded', result: 'gave up' });
    expect(rest.events.find((e) => e.type === 'tool-result')?.data).toMatchObject({ isError: true, content: 'denied: not that file' });
  });

  it('wait_for_task returns at once while a permission request waits for a decision', async () => {
    const created = await bravo.client.createAiTask({ prompt: 'tool Bash {"command":"make"}\nsay built' });
    // Dispatched elsewhere (the daemon's own client): this wait sees the request as it comes.
    const w = waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: created.id, waitSeconds: 20 }));
    expect(w.outcome).toBe('permission-pending');
    const started = Date.now();
    const again = waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: created.id, since: w.nextSince, waitSeconds: 20 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(again).toMatchObject({ outcome: 'permission-pending', events: [], nextSince: w.nextSince });
    expect(again.pending.map((p) => p.id)).toEqual(w.pending.map((p) => p.id));
    await bravo.client.decidePermission(created.id, w.pending[0]!.id, { behavior: 'allow' });
    expect(waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: created.id, since: w.nextSince })).task.result).toBe('built');
  });

  it('keeps only the newest events of a chatty task, and says how many were left out', async () => {
    const w = waitOf(await call(onBravo, 'ferry_dispatch_task', { prompt: 'spam 80\nsay last' }));
    // 80 + 1 texts, two statuses before, a result and a status after.
    expect(w.task.eventCount).toBe(85);
    expect(w.events).toHaveLength(50);
    expect([w.events[0]!.seq, w.nextSince, w.omittedEvents]).toEqual([36, 85, 35]);
    const page = structured<{ events: AiTaskEvent[]; nextSince: number; more: boolean }>(await call(onBravo, 'ferry_task_status', { taskId: w.task.id, since: 0 }));
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 85 }, (_, i) => i + 1));
    expect([page.nextSince, page.more]).toEqual([85, false]);
  });

  it('ends a wait after waitSeconds without an error; status, list and cancel follow the task', async () => {
    const dispatched = await call(onBravo, 'ferry_dispatch_task', { prompt: 'sleep 60000', wait: false });
    const d = waitOf(dispatched);
    const id = d.task.id;
    expect(d).toMatchObject({ outcome: 'still-running', events: [], nextSince: 0 });
    expect(['queued', 'running']).toContain(d.task.status);
    expect(textOf(dispatched)).toContain(`ferry_wait_for_task {taskId: "${id}"}`);

    const started = Date.now();
    const waited = await call(onBravo, 'ferry_wait_for_task', { taskId: id, waitSeconds: 1 });
    const w = waitOf(waited);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(w).toMatchObject({ outcome: 'still-running', pending: [] });
    expect(w.task.status).toBe('running');
    expect(types(w.events)).toEqual(['status', 'status']);
    expect(textOf(waited)).toContain(`Still running after waiting 1 s. Continue with ferry_wait_for_task {taskId: "${id}", since: 2}`);

    const status = await call(onBravo, 'ferry_task_status', { taskId: id });
    expect(status.isError, textOf(status)).toBeFalsy();
    expect(structured<{ task: AiTask }>(status).task).toMatchObject({ id, prompt: 'sleep 60000', status: 'running', result: null });
    expect(textOf(status)).toContain(`AI task ${id} (claude: "sleep 60000") is running`);

    const list = structured<{ items: AiTaskSummary[]; nextCursor: string | null }>(await call(onBravo, 'ferry_list_tasks', { status: 'running' }));
    expect(list.items.map((t) => t.id)).toContain(id);
    expect(list.items.every((t) => t.status === 'running')).toBe(true);
    const succeeded = structured<{ items: AiTaskSummary[] }>(await call(onBravo, 'ferry_list_tasks', { status: 'succeeded', limit: 2 }));
    expect(succeeded.items).toHaveLength(2);
    expect(succeeded.items.map((t) => t.id)).not.toContain(id);

    const canceled = await call(onBravo, 'ferry_cancel_task', { taskId: id });
    expect(canceled.isError, textOf(canceled)).toBeFalsy();
    expect(structured<{ task: AiTask }>(canceled).task.id).toBe(id);
    const end = waitOf(await call(onBravo, 'ferry_wait_for_task', { taskId: id, since: w.nextSince }));
    expect(end).toMatchObject({ outcome: 'ended', task: { status: 'canceled' } });
    expect(errorOf(await call(onBravo, 'ferry_cancel_task', { taskId: id })).code).toBe('ai-task-not-running');
  });

  it('shows the newest events without since, and pages with it', async () => {
    const w = waitOf(await call(onBravo, 'ferry_dispatch_task', { prompt: 'spam 30' }));
    expect(w.task.eventCount).toBe(34);
    const recent = await call(onBravo, 'ferry_task_status', { taskId: w.task.id });
    const r = structured<{ task: AiTask; events: AiTaskEvent[]; nextSince: number; more: boolean }>(recent);
    expect(r.task).toMatchObject({ prompt: 'spam 30', status: 'succeeded', result: 'line 29' });
    expect(r.events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 15));
    expect(textOf(recent)).toContain('--- events 15–34 of 34 ---');
    const after = structured<{ events: AiTaskEvent[] }>(await call(onBravo, 'ferry_task_status', { taskId: w.task.id, since: 30 }));
    expect(after.events.map((e) => e.seq)).toEqual([31, 32, 33, 34]);
  });
});

describe('bad arguments and daemon errors', () => {
  it.each([
    ['an unknown agent', { prompt: 'say hi', agent: 'copilot' }],
    ['an empty prompt', { prompt: '' }],
    ['no prompt', {}],
    ['an unknown argument', { prompt: 'say hi', priority: 1 }],
    ["the daemon's timeoutMs", { prompt: 'say hi', timeoutMs: 5000 }],
    ['a wait beyond the bound', { prompt: 'say hi', waitSeconds: 3601 }],
    ['a peer name with a slash', { prompt: 'say hi', peer: 'a/b' }],
  ])('refuses %s before anything is dispatched', async (_what, args) => {
    const before = await taskCount();
    const result = await call(onBravo, 'ferry_dispatch_task', args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invalid arguments/i);
    expect(await taskCount()).toBe(before);
  });

  it.each([
    ['ferry_wait_for_task', { taskId: 'x', since: -1 }],
    ['ferry_task_status', { taskId: '' }],
    ['ferry_decide_task_permission', { taskId: 'x', permissionId: 'y', behavior: 'maybe' }],
    ['ferry_cancel_task', { id: 'x' }],
  ])('%s refuses bad arguments', async (name, args) => {
    const result = await call(onBravo, name, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invalid arguments/i);
  });

  it.each([
    ['ferry_task_status', {}],
    ['ferry_wait_for_task', { waitSeconds: 5 }],
    ['ferry_cancel_task', {}],
    ['ferry_decide_task_permission', { permissionId: 'abc', behavior: 'allow' }],
  ])('%s answers ai-task-not-found for an unknown task', async (name, args) => {
    const result = await call(onBravo, name, { taskId: '0000000000000000', ...args });
    expect(errorOf(result).code).toBe('ai-task-not-found');
    expect(textOf(result)).toContain('Error [ai-task-not-found]');
  });

  it('answers permission-not-found for an unknown request of a real task', async () => {
    const done = (await bravo.client.aiTasks({ status: 'succeeded', limit: 1 })).items[0]!;
    expect(errorOf(await call(onBravo, 'ferry_decide_task_permission', { taskId: done.id, permissionId: 'nope', behavior: 'allow' })).code).toBe('permission-not-found');
  });

  it('answers agent-not-installed on a machine without the agent', async () => {
    const result = await call(onAlpha, 'ferry_dispatch_task', { prompt: 'say hi' });
    expect(errorOf(result).code).toBe('agent-not-installed');
    expect(errorOf(result).message).toContain('aiTasks.commands.claude');
    expect((await alpha.client.aiTasks()).items).toEqual([]);
  });
});

describe('without a running daemon', () => {
  it('answers daemon-unreachable at once, from the waiting tools too', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const c = await connectMcp(new FerryClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }));
    try {
      const started = Date.now();
      for (const [name, args] of [
        ['ferry_dispatch_task', { prompt: 'say hi' }],
        ['ferry_wait_for_task', { taskId: 'abc', waitSeconds: 60 }],
        ['ferry_task_status', { taskId: 'abc' }],
      ] as const) {
        const result = await call(c, name, args);
        expect(errorOf(result).code, name).toBe('daemon-unreachable');
        expect(errorOf(result).hint, name).toContain('ferry start');
      }
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await c.close();
    }
  });
});

describe('cancelling a call', () => {
  it('cancels the task when a waiting ferry_dispatch_task call is cancelled', async () => {
    const abort = new AbortController();
    let id: string | undefined;
    const pending = onBravo.mcp.callTool({ name: 'ferry_dispatch_task', arguments: { prompt: 'sleep 60000' } }, undefined, {
      signal: abort.signal,
      onprogress: (p) => {
        id ??= /^AI task (\S+)/.exec(p.message ?? '')?.[1];
        if (id) abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    expect(id).toBeDefined();
    await whenIdle(onBravo.server);
    expect((await finalState(bravo.client, id!)).status).toBe('canceled');
  });

  it('only stops the wait when a ferry_wait_for_task call is cancelled', async () => {
    const created = await bravo.client.createAiTask({ prompt: 'sleep 4000\nsay finished anyway' });
    const abort = new AbortController();
    const notes: Progress[] = [];
    const pending = onBravo.mcp.callTool({ name: 'ferry_wait_for_task', arguments: { taskId: created.id } }, undefined, {
      signal: abort.signal,
      onprogress: (p) => {
        notes.push(p);
        abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    expect(notes[0]?.message).toMatch(new RegExp(`^following AI task ${created.id}: (queued|running) \\(waiting up to 300 s\\)`));
    // The handler has finished (its wait ended with the call), long before the task does.
    await whenIdle(onBravo.server);
    expect((await bravo.client.aiTask(created.id)).status).toBe('running');
    const end = await finalState(bravo.client, created.id);
    expect(end).toMatchObject({ status: 'succeeded', result: 'finished anyway' });
  });
});

describe('AI tasks on a peer', () => {
  it("dispatches to a peer by name; its permission request is decided from here and the peer's result comes back", async () => {
    const notes: Progress[] = [];
    const first = await onAlpha.mcp.callTool(
      { name: 'ferry_dispatch_task', arguments: { peer: bravoOnAlpha, prompt: 'tool Bash {"command":"hostname"}\nsay ran on bravo' } },
      undefined,
      { onprogress: (p) => notes.push(p) },
    );
    const w = waitOf(first);
    const id = w.task.id;
    expect(w.outcome).toBe('permission-pending');
    expect(w.pending).toEqual([expect.objectContaining({ tool: 'Bash', input: { command: 'hostname' }, status: 'pending' })]);
    expect(notes.map((n) => n.message)).toContainEqual(expect.stringMatching(new RegExp(`^AI task ${id} on ${bravoOnAlpha} \\(claude: `)));
    expect(notes.map((n) => n.message)).toContain(`permission request ${w.pending[0]!.id}: Bash {"command":"hostname"}`);
    expectGrowing(notes);
    expect(textOf(first)).toContain(`ferry_wait_for_task {taskId: "${id}", since: ${w.nextSince}, peer: "${bravoOnAlpha}"}`);

    // The task is bravo's: alpha itself has no such task.
    expect(errorOf(await call(onAlpha, 'ferry_task_status', { taskId: id })).code).toBe('ai-task-not-found');
    const listed = structured<{ items: AiTaskSummary[] }>(await call(onAlpha, 'ferry_list_tasks', { peer: bravoOnAlpha }));
    expect(listed.items.find((t) => t.id === id)).toMatchObject({ status: 'running', pendingPermissions: 1 });

    const decided = await call(onAlpha, 'ferry_decide_task_permission', { peer: bravoOnAlpha, taskId: id, permissionId: w.pending[0]!.id, behavior: 'allow' });
    expect(structured<{ permission: PermissionRequest }>(decided).permission).toMatchObject({ status: 'allowed', decidedBy: expect.stringMatching(/^peer:/) });

    const rest = waitOf(await call(onAlpha, 'ferry_wait_for_task', { peer: bravoOnAlpha, taskId: id, since: w.nextSince }));
    expect(rest.outcome).toBe('ended');
    expect(rest.task).toMatchObject({ status: 'succeeded', result: 'ran on bravo' });
    expect(rest.events.find((e) => e.type === 'tool-result')?.data).toMatchObject({ isError: false, content: 'ran Bash {"command":"hostname"}' });

    // On bravo: dispatched by alpha (its certificate), decided by alpha.
    const there = await bravo.client.aiTask(id);
    expect(there.principal).toMatch(/^peer:/);
    expect(there.permissions[0]!.decidedBy).toBe(there.principal);
    const status = structured<{ task: AiTask }>(await call(onAlpha, 'ferry_task_status', { peer: bravoOnAlpha, taskId: id }));
    expect(status.task).toMatchObject({ id, status: 'succeeded', prompt: 'tool Bash {"command":"hostname"}\nsay ran on bravo' });
  });

  it("answers the peer's refusal with scope-denied", async () => {
    // bravo granted alpha "read-only" the other way round: AI tasks off.
    const alphaOnBravo = (await bravo.client.peers()).items.find((p) => p.paired)!.name;
    const result = await call(onBravo, 'ferry_dispatch_task', { peer: alphaOnBravo, prompt: 'say hi' });
    expect(errorOf(result).code).toBe('scope-denied');
  });
});

describe('prompts', () => {
  it('teach dispatching a task, deciding its permission requests and waiting on', async () => {
    const help = await onBravo.mcp.getPrompt({ name: 'ferry_help' });
    const text = (help.messages[0]?.content as { text: string }).text;
    for (const word of ['ferry_dispatch_task', 'ferry_wait_for_task', 'ferry_decide_task_permission', 'ferry_task_status', 'ferry_list_tasks', 'ferry_cancel_task', '"permission-pending"', 'nextSince']) {
      expect(text).toContain(word);
    }
    const plan = await onBravo.mcp.getPrompt({ name: 'ferry_coordinate', arguments: { task: 'fix the flaky test on the build box' } });
    const planText = (plan.messages[0]?.content as { text: string }).text;
    expect(planText).toContain('ferry_dispatch_task {peer, prompt, cwd}');
    expect(planText).toContain('ferry_decide_task_permission');
  });
});
