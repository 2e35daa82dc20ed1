import type { Transfer } from '../../server/protocol/index.js';
import type { Output } from '../output.js';
import { doneLine, endNote, progressText, route } from '../views/transfers.js';

/** How a followed transfer is shown as it goes: a bar on a terminal, lines on a pipe, nothing for --json. */
export interface TransferView {
  update(t: Transfer): void;
  /** Ctrl-C was pressed and the cancel sent. */
  canceling(): void;
  /** Draw the end (and, piped, print the result line); the view is done after this. */
  finish(t: Transfer): Promise<void>;
}

/** Piped: a progress line every so often, on stderr; the result on stdout. */
const PLAIN_EVERY_MS = 2000;
/** Nothing moved after this long: say what we wait for. */
const WAITING_AFTER_MS = 1500;
/** The bar redraws at most this often (no flicker, little CPU). */
const MAX_FPS = 10;

export async function transferView(out: Output, first: Transfer): Promise<TransferView> {
  if (out.json) return { update: () => undefined, canceling: () => undefined, finish: async () => undefined };
  return out.interactive ? inkView(out, first) : plainView(out, first);
}

/** Ink and React take a moment to load: start early, overlapping with the requests. */
export async function preloadView(out: Output): Promise<void> {
  if (out.interactive) await Promise.all([import('ink'), import('react'), import('../views/TransferProgress.js')]);
}

async function inkView(out: Output, first: Transfer): Promise<TransferView> {
  const [{ render }, { createElement }, { TransferProgress }] = await Promise.all([import('ink'), import('react'), import('../views/TransferProgress.js')]);
  const startedAt = Date.now();
  let canceling = false;
  let last = first;
  const props = (t: Transfer) => ({
    transfer: t,
    canceling,
    width: Math.max(10, Math.min(30, out.columns - 60)),
    waitingFor: t.peer !== null && Date.now() - startedAt > WAITING_AFTER_MS ? t.peer : undefined,
  });
  // maxFps: Ink throttles what reaches the terminal, however often we hand it a new frame.
  const ink = render(createElement(TransferProgress, props(first)), { patchConsole: false, exitOnCtrlC: false, maxFps: MAX_FPS });
  return {
    update(t) {
      last = t;
      ink.rerender(createElement(TransferProgress, props(t)));
    },
    canceling() {
      canceling = true;
      ink.rerender(createElement(TransferProgress, props(last)));
    },
    async finish(t) {
      ink.rerender(createElement(TransferProgress, props(t)));
      ink.unmount();
      await ink.waitUntilExit();
    },
  };
}

function plainView(out: Output, first: Transfer): TransferView {
  const verb = first.direction === 'push' ? 'sending' : 'fetching';
  out.note(`${verb} ${route(first)} (transfer ${first.id})`);
  let lastLine = Date.now();
  let attempts = first.attempts;
  return {
    update(t) {
      if (t.state !== 'running') return;
      if (t.attempts > 1 && t.attempts !== attempts) out.note(`retrying (${t.attempts})…`);
      attempts = t.attempts;
      if (Date.now() - lastLine < PLAIN_EVERY_MS) return;
      lastLine = Date.now();
      out.note(progressText(t));
    },
    canceling: () => out.note('canceling…'),
    async finish(t) {
      if (t.state === 'done') out.line(doneLine(t));
      else if (t.state !== 'running') out.note(endNote(t));
    },
  };
}
