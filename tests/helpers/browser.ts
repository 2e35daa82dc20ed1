import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: the browser tests never let a tool download its own. */
export const CHROMIUM = '/usr/bin/chromium';
const ADMIN_INDEX = new URL('../../admin/build/index.html', import.meta.url);

/** Chromium headless with the flags the machine needs, after checking it and the built admin are there. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  if (!fs.existsSync(ADMIN_INDEX)) throw new Error('the admin UI is not built (admin/build/index.html is missing): run `npm run build:admin`');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Record what the page reports going wrong (uncaught errors, CSP violations) into `problems`. */
export function collectPageProblems(page: Page, problems: { push(s: string): void }): void {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
}
