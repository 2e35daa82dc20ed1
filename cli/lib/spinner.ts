import type { Output } from '../output.js';

export interface Progress {
  /** Stop drawing; the spinner's line is cleared, so what follows takes its place. */
  stop(): Promise<void>;
}

/**
 * "Waiting for …" while something slow happens: an Ink spinner on a terminal; on a pipe the label
 * once, on stderr, so a log still says what the command was waiting for. Nothing in --json mode.
 */
export async function spin(out: Output, label: string): Promise<Progress> {
  if (!out.interactive) {
    out.note(label);
    return { stop: async () => undefined };
  }
  const { render } = await import('ink');
  const { createElement } = await import('react');
  const { Spinner } = await import('../views/Spinner.js');
  const ink = render(createElement(Spinner, { label }), { patchConsole: false, exitOnCtrlC: false });
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      ink.clear();
      ink.unmount();
      await ink.waitUntilExit();
    },
  };
}
