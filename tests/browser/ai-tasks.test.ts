import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { AiTaskEvent, AiTaskSummary } from '../../server/protocol/index.js';
import { appendEvents, emptyStream, isNewer, upsertPermission } from '../../admin/src/lib/ai-tasks/stream.js';
import { fakeAgentEnv } from '../helpers/agents.js';
import { collectPageProblems, launchChromium } from '../helpers/browser.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';

/**
 * The AI tasks page in Debian's Chromium against real spawned daemons whose agents are the
 * scripted fake (tests/fixtures/agents/fake-agent.mjs): dispatch, the live event stream, allowing
 * and denying a tool, cancelling, catching up after missed events, and the daemon's errors.
 */

/** Screenshots for people to look at after a run. */
const SHOTS = '/tmp/ai-admin-shots';
const WAIT_MS = 15_000;

const event = (seq: number, text = `e${seq}`): AiTaskEvent => ({ seq, at: new Date(0).toISOString(), type: 'text', data: { text } });

describe('the AI task stream in the admin', () => {
  it('appends events in order, skips ones it has and stops at a gap', () => {
    const stream = emptyStream();
    expect(appendEvents(stream, [event(1), event(2)])).toBe(true);
    expect(appendEvents(stream, [event(2), event(3)])).toBe(true);
    expect(appendEvents(stream, [event(5)])).toBe(false);
    expect(stream.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(stream.lastSeq).toBe(3);
  });

  it('keeps the newer copy of a task when answers and events race', () => {
    const base = { status: 'running', eventCount: 4 } as AiTaskSummary;
    expect(isNewer({ ...base, status: 'queued', eventCount: 9 }, base)).toBe(false);
    expect(isNewer({ ...base, eventCount: 3 }, base)).toBe(false);
    expect(isNewer({ ...base, eventCount: 5 }, base)).toBe(true);
    expect(isNewer({ ...base, status: 'canceled', eventCount: 1 }, base)).toBe(true);
  });

  it('never turns a decided permission request back into a pending one', () => {
    const pending = { id: 'p1', status: 'pending' } as Parameters<typeof upsertPermission>[1];
    const list = [{ ...pending, status: 'allowed' as const }];
    upsertPermission(list, pending);
    expect(list.map((p) => p.status)).toEqual(['allowed']);
  });
});

describe('AI tasks page in Chromium', () => {
  /** Its agents are the fake ones. */
  let daemon: SpawnedDaemon;
  /** No agent it could run: `claude` names a program that is nowhere. */
  let bare: SpawnedDaemon;
  let browser: Browser;
  /** Problems the page reported (CSP violations, uncaught errors) during the current test. */
  let pageProblems: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    [daemon, bare] = await Promise.all([
      spawnDaemon({ env: { ...fakeAgentEnv(), FERRY_NAME: 'agents' } }),
      spawnDaemon({ env: { FERRY_NAME: 'bare', FERRY_AI_TASKS_COMMANDS_CLAUDE: 'ferry-test-no-such-agent' } }),
    ]);
    browser = await launchChromium();
  });

  // Every test also fails if the page hit a CSP violation or an uncaught error on the way.
  afterEach(() => {
    const problems = pageProblems;
    pageProblems = [];
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([daemon?.stop(), bare?.stop()]);
  });

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  /** A fresh browser context on the admin; `before` runs ahead of the page's first load. */
  async function newPage(on: SpawnedDaemon = daemon, before?: (page: Page) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    collectPageProblems(page, pageProblems);
    // What the page looked like when a test failed, to see why.
    onTestFailed(async ({ task }) => {
      await page.screenshot({ path: path.join(SHOTS, `failed-${task.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
    });
    await before?.(page);
    await page.goto(`${on.url}/admin/`);
    return { context, page };
  }

  /** Signed in, on the AI tasks page, with the live connection up. */
  async function openAiTasks(page: Page, on: SpawnedDaemon = daemon): Promise<void> {
    await page.getByLabel('Admin token').fill(on.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav(page).getByRole('link', { name: /^AI tasks/ }).click();
    await page.getByRole('heading', { name: 'AI tasks', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  }

  /** Type a script for the fake agent and dispatch it; returns the task's panel (named by the first line). */
  async function dispatch(page: Page, lines: string[]): Promise<Locator> {
    await page.getByLabel('Prompt', { exact: true }).fill(lines.join('\n'));
    await page.getByRole('button', { name: 'Dispatch' }).click();
    return page.getByRole('region', { name: lines[0] });
  }

  const stream = (panel: Locator) => panel.getByRole('log', { name: 'Task events' });
  const headerStatus = (panel: Locator, status: string) => panel.locator('header').getByText(status, { exact: true });

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  }

  async function taskTitled(on: SpawnedDaemon, title: string) {
    const task = (await on.client.aiTasks()).items.find((t) => t.title === title);
    expect(task, `a task titled "${title}"`).toBeDefined();
    return on.client.aiTask(task!.id);
  }

  it('shows a permission request live, and after Allow the tool result and the end', async () => {
    const { context, page } = await newPage();
    await openAiTasks(page);
    const title = 'Look around in the project';
    const panel = await dispatch(page, [title, 'tool Bash {"command":"ls -la"}', 'say All done']);

    // The request arrives over the socket while the agent waits: no reload anywhere in this test.
    const request = panel.getByRole('list', { name: 'Pending permission requests' }).getByRole('listitem', { name: 'Use Bash?' });
    await request.waitFor();
    await request.getByLabel('Tool input').filter({ hasText: '"command": "ls -la"' }).waitFor();
    await headerStatus(panel, 'running').waitFor();
    await nav(page).getByTestId('ai-tasks-badge').filter({ hasText: /^1$/ }).waitFor();
    await page.getByRole('list', { name: 'AI tasks' }).getByRole('button', { name: new RegExp(title) }).getByText('1 waiting for you').waitFor();
    await stream(panel).getByText(title).waitFor();
    await shot(page, 'detail-pending-permission.png');

    await request.getByRole('button', { name: 'Allow' }).click();
    await stream(panel).getByText('ran Bash {"command":"ls -la"}').waitFor();
    await stream(panel).getByText('Allowed Bash (here)').waitFor();
    await stream(panel).locator('[data-type="result"]').getByText('All done').waitFor();
    await headerStatus(panel, 'succeeded').waitFor();
    expect(await request.count()).toBe(0);
    expect(await nav(page).getByTestId('ai-tasks-badge').count()).toBe(0);
    await shot(page, 'detail-finished.png');

    const task = await taskTitled(daemon, title);
    expect(task.status).toBe('succeeded');
    expect(task.permissions).toMatchObject([{ tool: 'Bash', status: 'allowed', decidedBy: 'local' }]);
    await context.close();
  });

  it('denies a tool with a message that the agent is told', async () => {
    const { context, page } = await newPage();
    await openAiTasks(page);
    const title = 'Try to write a file';
    const panel = await dispatch(page, [title, 'tool Write {"file_path":"/etc/motd","content":"hi"}', 'say Understood']);

    const request = panel.getByRole('listitem', { name: 'Use Write?' });
    await request.getByLabel(/Message to the agent if you deny/).fill('not on this machine');
    await request.getByRole('button', { name: 'Deny' }).click();
    await stream(panel).getByText('denied: not on this machine').waitFor();
    await stream(panel).getByText('Denied Write (here) — “not on this machine”').waitFor();
    await headerStatus(panel, 'succeeded').waitFor();
    expect(await request.count()).toBe(0);

    const task = await taskTitled(daemon, title);
    expect(task.permissions).toMatchObject([{ tool: 'Write', status: 'denied', message: 'not on this machine' }]);
    await context.close();
  });

  it('cancels a running task', async () => {
    const { context, page } = await newPage();
    await openAiTasks(page);
    const title = 'Think for a long time';
    const panel = await dispatch(page, [title, 'sleep 60000', 'say never said']);
    await stream(panel).getByText(title).waitFor();
    await headerStatus(panel, 'running').waitFor();

    await panel.getByRole('button', { name: 'Cancel' }).click();
    await headerStatus(panel, 'canceled').waitFor();
    await page.getByRole('list', { name: 'AI tasks' }).getByRole('button', { name: new RegExp(title) }).getByText('canceled').waitFor();
    expect(await panel.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    expect(await stream(panel).getByText('never said').count()).toBe(0);
    expect((await taskTitled(daemon, title)).status).toBe('canceled');
    await shot(page, 'list-and-canceled.png');
    await context.close();
  });

  it('fills a gap in the stream from `since` when live events were missed', async () => {
    // Between the page and the daemon: count the Socket.IO upgrade, and drop the live event that
    // carries "second" (only over the WebSocket, which carries everything once upgraded).
    let upgraded = false;
    let dropped = 0;
    const route = (page: Page) =>
      page.routeWebSocket(/\/socket\.io\//, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((m) => {
          if (m === '5') upgraded = true;
          server.send(m);
        });
        server.onMessage((m) => {
          if (typeof m === 'string' && m.includes('"ai-task.event"') && m.includes('"text":"second"')) dropped++;
          else ws.send(m);
        });
      });
    const { context, page } = await newPage(daemon, route);
    await openAiTasks(page);
    await expect.poll(() => upgraded, { timeout: WAIT_MS }).toBe(true);

    const title = 'Say three things';
    const panel = await dispatch(page, [title, 'sleep 300', 'say second', 'sleep 1500', 'say third']);
    await headerStatus(panel, 'succeeded').waitFor();
    expect(dropped).toBe(1);
    await stream(panel).getByText('second').waitFor();
    const texts = await stream(panel).locator('[data-type="text"] .said').allTextContents();
    expect(texts).toEqual([title, 'second', 'third']);
    await context.close();
  });

  it('disables Dispatch without a prompt and shows the daemon’s validation error', async () => {
    const { context, page } = await newPage();
    await openAiTasks(page);
    const button = page.getByRole('button', { name: 'Dispatch' });
    expect(await button.isDisabled()).toBe(true);

    await page.getByLabel('Prompt', { exact: true }).fill('   \n ');
    expect(await button.isDisabled()).toBe(true);

    const before = (await daemon.client.aiTasks()).items.length;
    await page.getByLabel('Prompt', { exact: true }).fill('say hello');
    await page.getByLabel(/^Model/).fill('not a model!');
    await button.click();
    await page.getByRole('alert').filter({ hasText: /model: a model name/ }).waitFor();
    expect((await daemon.client.aiTasks()).items.length).toBe(before);
    // Every agent is installed on this daemon (the fake ones): no warning, no "not installed".
    expect(await page.getByText('was not found on this machine').count()).toBe(0);
    expect(await page.locator('#ai-agent').textContent()).not.toContain('not installed');
    await context.close();
  });

  it('says so when the agent is not installed on the machine', async () => {
    const { context, page } = await newPage(bare);
    await openAiTasks(page, bare);
    await page.getByLabel('Agent').selectOption('claude');
    // The daemon's status says which agents it found: the form warns before a dispatch would fail.
    await page.getByText('claude was not found on this machine').waitFor();
    expect(await page.getByLabel('Agent').locator('option[value="claude"]').textContent()).toContain('not installed');
    await page.getByLabel('Prompt', { exact: true }).fill('say hello');
    await page.getByRole('button', { name: 'Dispatch' }).click();
    await page.getByRole('alert').filter({ hasText: 'claude is not installed on this machine' }).waitFor();
    await page.getByText('No AI tasks yet').waitFor();
    expect((await bare.client.aiTasks()).items).toEqual([]);
    await shot(page, 'agent-not-installed.png');
    await page.getByText('claude was not found on this machine').waitFor();
    await context.close();
  });
});
