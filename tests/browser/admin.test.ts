import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectPageProblems, launchChromium } from '../helpers/browser.js';
import { spawnDaemon } from '../helpers/daemon.js';

/**
 * The admin SPA in Debian's Chromium against a real spawned daemon: sign-in, the security of the
 * session (httpOnly cookie, no token in storage, a CSP with nothing blocked) and live job output.
 */

/** Copies of the screenshots for people to look at after a run. */
const SHOTS_COPY = '/tmp/ferry-shots';
const WAIT_MS = 15_000;

type Spawned = Awaited<ReturnType<typeof spawnDaemon>>;

let daemon: Spawned;
let browser: Browser;
let shots: string;
/** Problems the page reported (CSP violations, uncaught errors) during the current test. */
let pageProblems: string[] = [];

beforeAll(async () => {
  shots = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-shots-'));
  daemon = await spawnDaemon();
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
  await daemon?.stop();
  if (daemon) fs.rmSync(daemon.home, { recursive: true, force: true });
  if (shots) fs.rmSync(shots, { recursive: true, force: true });
});

async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  collectPageProblems(page, pageProblems);
  await page.goto(`${daemon.url}/admin/`);
  return { context, page };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(shots, name);
  await page.screenshot({ path: file, fullPage: true });
  fs.mkdirSync(SHOTS_COPY, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_COPY, name));
}

describe('admin UI in Chromium', () => {
  it('refuses a wrong token with a clear message', async () => {
    const { context, page } = await openPage();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, 'login.png');
    await signIn(page, 'not-the-admin-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('That token was not accepted');
    expect(await context.cookies()).toEqual([]);
    await shot(page, 'login-error.png');
    await context.close();
  });

  it('signs in with the token into an httpOnly session and keeps the token out of storage', async () => {
    const { context, page } = await openPage();
    await signIn(page, daemon.token);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    const identity = await daemon.client.identity();
    await page.getByTestId('node-id').filter({ hasText: identity.nodeId }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    const session = (await context.cookies()).find((c) => c.name === 'ferry_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // A string runs in the page (whose DOM types this Node-side project does not load).
    const visible = (await page.evaluate(
      '({ cookie: document.cookie, storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) })',
    )) as { cookie: string; storage: string };
    expect(visible.cookie).not.toContain('ferry_session');
    expect(visible.storage).not.toContain(daemon.token);
    await shot(page, 'overview.png');

    // After a reload the cookie still holds the session (the CSRF token is fetched again).
    await page.reload();
    await page.getByTestId('node-id').filter({ hasText: identity.nodeId }).waitFor();
    await context.close();
  });

  it('runs `echo hi` from the Jobs page and shows its output live', async () => {
    const { context, page } = await openPage();
    await signIn(page, daemon.token);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    await page.getByLabel('Command', { exact: true }).fill('echo hi');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const output = page.getByRole('log', { name: 'Job output' });
    await output.filter({ hasText: /^hi\s*$/ }).waitFor();
    await page.getByRole('region', { name: /^Job / }).getByText('succeeded').waitFor();
    await page.getByRole('list', { name: 'Recent jobs' }).getByText('echo hi').waitFor();
    await shot(page, 'jobs.png');
    await context.close();
  });

  it('streams a running job before it ends, and cancels it', async () => {
    const { context, page } = await openPage();
    await signIn(page, daemon.token);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    // Prints, then blocks: the line can only have come from the live stream, not the final result.
    await page.getByLabel(/Run with/).check();
    await page.getByLabel('Command', { exact: true }).fill('echo started; echo oops >&2; sleep 60');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = page.getByRole('region', { name: /^Job / });
    await panel.getByRole('log').filter({ hasText: 'started' }).waitFor();
    await panel.getByRole('log').locator('.stderr', { hasText: 'oops' }).waitFor();
    await panel.getByText('running', { exact: true }).waitFor();
    await shot(page, 'jobs-running.png');

    await panel.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByText('canceled', { exact: true }).waitFor();
    const jobs = await daemon.client.jobs({ status: 'canceled' });
    expect(jobs.items.map((j) => j.shell)).toContain('echo started; echo oops >&2; sleep 60');
    await context.close();
  });

  it('signs out: the form returns and the old cookie no longer works', async () => {
    const { context, page } = await openPage();
    await signIn(page, daemon.token);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'ferry_session');
    expect(cookie).toBeDefined();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const res = await fetch(`${daemon.url}/api/v1/status`, { headers: { cookie: `ferry_session=${cookie?.value}` } });
    expect(res.status).toBe(401);
    await context.close();
  });
});
