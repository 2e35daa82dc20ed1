import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presetPolicy } from '../../server/policy/presets.js';
import { PRESETS } from '../../server/protocol/index.js';
import { collectPageProblems, launchChromium } from '../helpers/browser.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';

/**
 * The Peers and Approvals pages in Debian's Chromium against two real spawned daemons: alpha's
 * admin invites, bravo joins through its API, the same comparison code shows on both, each side
 * confirms, then bravo's command waits for a person on alpha's Approvals page.
 */

// admin/tsconfig.json extends the file SvelteKit generates; without it nothing under admin/ compiles.
if (!fs.existsSync(new URL('../../admin/.svelte-kit/tsconfig.json', import.meta.url))) {
  throw new Error('admin/.svelte-kit is missing: run `npm run build:admin` (or `npm run typecheck`) first');
}
const { PRESET_NAMES } = await import('../../admin/src/lib/peers/policy.js');

/** Copies of the screenshots for people to look at after a run. */
const SHOTS_COPY = '/tmp/ferry-shots';
const WAIT_MS = 15_000;

describe('preset names in the admin', () => {
  it('names every preset the daemon defines', () => {
    expect([...PRESET_NAMES]).toEqual([...PRESETS]);
  });
});

describe('Peers and Approvals pages in Chromium', () => {
  let alpha: SpawnedDaemon;
  let bravo: SpawnedDaemon;
  let browser: Browser;
  let shots: string;
  /** Problems the page reported (CSP violations, uncaught errors) during the current test. */
  let pageProblems: string[] = [];

  beforeAll(async () => {
    shots = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-shots-'));
    [alpha, bravo] = await Promise.all([spawnDaemon({ env: { FERRY_NAME: 'alpha' } }), spawnDaemon({ env: { FERRY_NAME: 'bravo' } })]);
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
    await Promise.all([alpha?.stop(), bravo?.stop()]);
    if (shots) fs.rmSync(shots, { recursive: true, force: true });
  });

  /** alpha's admin, signed in, on the Peers page with the live connection up. */
  async function openPeers(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    collectPageProblems(page, pageProblems);
    await page.goto(`${alpha.url}/admin/`);
    await page.getByLabel('Admin token').fill(alpha.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav(page, 'Peers').click();
    await page.getByRole('heading', { name: 'Peers', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    return { context, page };
  }

  const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  /** A modal dialog covers the viewport only: shoot those without `fullPage`. */
  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    const file = path.join(shots, name);
    await page.screenshot({ path: file, fullPage });
    fs.mkdirSync(SHOTS_COPY, { recursive: true });
    fs.copyFileSync(file, path.join(SHOTS_COPY, name));
  }

  it('says why joining failed: a wrong code with the tries left, then no open invite', async () => {
    const { context, page } = await openPeers();
    const invite = await bravo.client.openPairing();
    const wrong = invite.code.startsWith('A') ? `B${invite.code.slice(1)}` : `A${invite.code.slice(1)}`;
    const join = page.getByRole('form', { name: 'Join a machine' });
    await join.getByLabel('Address').fill('127.0.0.1');
    await join.getByLabel('Port').fill(String(bravo.peerPort));
    await join.getByLabel('Invite code').fill(wrong);
    await join.getByRole('button', { name: 'Join' }).click();
    await join.getByRole('alert').filter({ hasText: 'That code is not the one the other machine shows' }).filter({ hasText: '4 tries left' }).waitFor();
    expect((await bravo.client.pairing()).window?.attemptsLeft).toBe(4);
    await shot(page, 'join-error.png');

    await bravo.client.closePairing();
    await join.getByRole('button', { name: 'Join' }).click();
    await join.getByRole('alert').filter({ hasText: `127.0.0.1:${bravo.peerPort} is not inviting right now` }).waitFor();
    expect((await alpha.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    await context.close();
  });

  it('joins another machine’s invite from the page, shows the same code, and rejects on both sides', async () => {
    const { context, page } = await openPeers();
    const alphaId = (await alpha.client.identity()).nodeId;
    const invite = await bravo.client.openPairing();
    const join = page.getByRole('form', { name: 'Join a machine' });
    await join.getByLabel('Address').fill('127.0.0.1');
    await join.getByLabel('Port').fill(String(bravo.peerPort));
    await join.getByLabel('Invite code').fill(invite.code.toLowerCase());
    await join.getByRole('button', { name: 'Join' }).click();

    const dialog = page.getByRole('dialog', { name: 'Pair with bravo?' });
    await dialog.getByText('You joined bravo’s invite.').waitFor();
    const onBravo = (await bravo.client.pairing()).sessions.find((s) => s.role === 'inviter' && s.peer?.nodeId === alphaId);
    expect(onBravo?.state).toBe('awaiting-confirmation');
    expect((await dialog.getByTestId('sas').textContent())?.replace(/\s/g, '')).toBe(onBravo?.sas);

    await dialog.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('dialog', { name: 'Pairing rejected' }).getByRole('button', { name: 'Close' }).click();
    // alpha told bravo before answering: bravo's side of the same pairing is over too.
    expect((await bravo.client.pairingSession(onBravo!.sessionId)).state).toBe('rejected');
    expect((await bravo.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    await bravo.client.closePairing();
    await context.close();
  });

  it('pairs by invite with the same comparison code on both sides, asks for approval live, and unpairs', { timeout: 120_000 }, async () => {
    const { context, page } = await openPeers();
    const alphaId = (await alpha.client.identity()).nodeId;
    const bravoId = (await bravo.client.identity()).nodeId;

    // alpha invites on the page; bravo's person types the code shown there.
    await page.getByRole('button', { name: 'Invite a machine' }).click();
    const code = (await page.getByTestId('invite-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const joined = await bravo.client.joinPairing({ address: '127.0.0.1', port: alpha.peerPort!, code });
    expect(joined.state).toBe('awaiting-confirmation');
    expect(joined.sas).toMatch(/^\d{6}$/);

    // alpha's screen shows who asks and the comparison code: the same digits as bravo's.
    const dialog = page.getByRole('dialog', { name: 'Pair with bravo?' });
    await dialog.waitFor();
    const sas = (await dialog.getByTestId('sas').textContent()) ?? '';
    expect(sas.replace(/\s/g, '')).toBe(joined.sas);
    expect(sas.trim()).toMatch(/^\d{3} \d{3}$/);
    expect(await dialog.textContent()).toContain(bravoId);
    await dialog.getByText('Does the other screen show the same code?').waitFor();
    expect(await dialog.getByRole('radio', { name: /^collaborator/ }).isChecked()).toBe(true);
    await shot(page, 'pairing-sas.png', false);

    // alpha's person confirms first, granting read-only; the page waits for bravo's person.
    await dialog.getByRole('radio', { name: /^read-only/ }).check();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText(/Waiting for the other side/).waitFor();
    await shot(page, 'pairing-waiting.png', false);
    expect((await bravo.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    const bravoDone = await bravo.client.confirmPairing(joined.sessionId, 'trusted', 20);
    expect(bravoDone.state).toBe('paired');
    await page.getByRole('dialog', { name: 'Paired' }).getByRole('button', { name: 'Close' }).click();

    const row = page.getByRole('list', { name: 'Paired machines' }).getByRole('listitem', { name: 'bravo' });
    await row.getByTestId('peer-state').filter({ hasText: /^online$/ }).waitFor();
    await row.getByTestId('peer-policy').filter({ hasText: /^read-only$/ }).waitFor();
    const bravoOnAlpha = (await alpha.client.peers()).items.find((p) => p.nodeId === bravoId);
    expect(bravoOnAlpha).toMatchObject({ paired: true, name: 'bravo', policy: presetPolicy('read-only') });
    // The code was used: the invite closed itself.
    await page.getByRole('button', { name: 'Invite a machine' }).waitFor();

    // alpha makes bravo a collaborator: its commands now wait for a person here.
    await row.getByRole('combobox', { name: 'Policy for bravo' }).selectOption('collaborator');
    await row.getByRole('button', { name: 'Save policy' }).click();
    await row.getByTestId('peer-policy').filter({ hasText: /^collaborator$/ }).waitFor();
    expect((await alpha.client.peers()).items.find((p) => p.nodeId === bravoId)?.policy).toEqual(presetPolicy('collaborator'));
    await shot(page, 'peers.png');

    // bravo runs a command on alpha by the name bravo gave alpha; it waits for approval there.
    await nav(page, /^Approvals/).click();
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.getByText('Nothing is waiting.').waitFor();
    const alphaOnBravo = (await bravo.client.peers()).items.find((p) => p.nodeId === alphaId);
    expect(alphaOnBravo?.paired).toBe(true);
    const exec = bravo.client.forPeer(alphaOnBravo!.name).exec({ argv: ['echo', 'asked'] });
    // Awaited below; if the test fails before that, its rejection must not be reported on its own.
    exec.catch(() => undefined);

    const request = page.getByRole('list', { name: 'Pending approvals' }).getByRole('listitem', { name: 'exec: echo asked' });
    await request.waitFor();
    await page.getByTestId('approvals-badge').filter({ hasText: /^1$/ }).waitFor();
    expect(await request.textContent()).toContain('bravo');
    await request.getByText(/lets bravo run echo without asking next time/).waitFor();
    await shot(page, 'approvals.png');

    await request.getByRole('button', { name: 'Approve', exact: true }).click();
    const job = await exec;
    expect(job.stdout).toBe('asked\n');
    expect(job.exitCode).toBe(0);
    await request.waitFor({ state: 'detached' });
    await page.getByTestId('approvals-badge').waitFor({ state: 'detached' });
    await page.getByRole('table').getByRole('row').filter({ hasText: 'exec: echo asked' }).filter({ hasText: 'approved' }).waitFor();
    // Approved once, not remembered: the policy is still exactly the preset.
    expect((await alpha.client.approvals()).items[0]).toMatchObject({ status: 'approved', remember: false, programs: ['echo'] });

    // Unpair from the page: gone here at once, and bravo was told.
    await nav(page, 'Peers').click();
    await row.getByRole('button', { name: 'Unpair' }).click();
    const confirm = page.getByRole('dialog', { name: 'Unpair bravo?' });
    await shot(page, 'unpair.png', false);
    expect(await confirm.textContent()).toMatch(/revokes bravo’s access at once.*tells bravo/s);
    await confirm.getByRole('button', { name: 'Unpair' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'bravo is unpaired' }).filter({ hasText: 'it was told' }).waitFor();
    await page.getByText('No paired machines yet.').waitFor();
    expect((await alpha.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    expect((await bravo.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    await context.close();
  });
});
