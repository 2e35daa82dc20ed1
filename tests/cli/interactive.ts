import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CLI_MAIN } from '../helpers/daemon.js';
import { cliEnv } from './run.js';

/** A `ferry` someone is typing into: wait for what it shows, answer its prompts. */
export interface Conversation {
  child: ChildProcess;
  /** Everything shown so far (stdout + stderr; on a terminal, with the ANSI codes removed). */
  screen(): string;
  stdout(): string;
  stderr(): string;
  /** Wait until the screen matches; resolves with the match (bounded). */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Type a line and press Enter. */
  type(line: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Cursor moves, colours and window titles: what a terminal draws with, not what it shows.
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}\\][^${BEL}]*${BEL}`, 'g');

/** `script` (util-linux) gives a command a real terminal, as a person's shell would. */
export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/**
 * Start the built `ferry` with pipes (tty: false) or on a pseudo-terminal of 120×50 (tty: true),
 * the way a person would run it, and talk to it.
 */
export function converse(args: string[], opts: { home: string; tty?: boolean }): Conversation {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build:ts\` first`);
  const env = { ...cliEnv(opts.home), TERM: 'xterm-256color' };
  const child = opts.tty
    ? spawn('script', ['-qec', `stty cols 120 rows 50; exec ${[process.execPath, CLI_MAIN, ...args].map(quote).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let both = '';
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), (both += d.toString())));
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), (both += d.toString())));
  let closed = false;
  // 'close' (not 'exit'): by then everything it wrote has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal });
    }),
  );
  const screen = () => (opts.tty ? both.replace(ANSI, '').replace(/\r/g, '') : both);
  return {
    child,
    screen,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        const m = typeof pattern === 'string' ? (text.includes(pattern) ? ([pattern] as RegExpMatchArray) : null) : text.match(pattern);
        if (m) return m;
        if (Date.now() > deadline || closed) {
          throw new Error(`ferry ${args.join(' ')} never showed ${String(pattern)} (${closed ? `it ended with ${child.exitCode}` : 'still running'}); the screen:\n${text}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    type(line) {
      child.stdin!.write(`${line}${opts.tty ? '\r' : '\n'}`);
    },
    exited,
  };
}

/** Wait for the end, bounded; kill it past the bound. */
export async function ended(c: Conversation, timeoutMs = 90_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      c.child.kill('SIGKILL');
      reject(new Error(`did not end within ${timeoutMs} ms; the screen:\n${c.screen()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([c.exited, bound]);
  } finally {
    clearTimeout(timer);
  }
}
