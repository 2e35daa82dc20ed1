import readline from 'node:readline';
import { CliError } from '../errors.js';

/**
 * Questions for the person at the keyboard, one line each. On a terminal, readline edits the line;
 * from a pipe, each answer is the next line of stdin (so a script, or a test, can type). Prompts go
 * to stderr: stdout keeps what the command reports.
 */
export class Prompter {
  private readonly rl: readline.Interface;
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;
  readonly terminal: boolean;

  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stderr,
  ) {
    this.terminal = input.isTTY === true && output.isTTY === true;
    this.rl = readline.createInterface({ input, output, terminal: this.terminal });
    this.rl.on('line', (line) => this.push(line));
    this.rl.on('close', () => {
      this.ended = true;
      this.push(null);
    });
    // In raw mode Ctrl-C reaches readline as a key, not the process as a signal: pass it on, so
    // the command's own SIGINT handling (closing a window, rejecting a pairing) runs.
    this.rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    // Lines typed ahead (piped input) wait in `lines` until a question takes them.
    this.rl.pause();
  }

  /** Ask and wait for one line; null when input ended first. */
  async ask(question: string): Promise<string | null> {
    if (this.lines.length === 0 && this.ended) return null;
    this.rl.setPrompt(question);
    this.rl.prompt();
    const line = this.lines.length > 0 ? this.lines.shift()! : await new Promise<string | null>((resolve) => (this.waiter = resolve));
    this.rl.pause();
    // A piped answer is not echoed: end the prompt's line so what follows starts on its own.
    if (!this.terminal) this.output.write('\n');
    return line;
  }

  /** Ask until the answer is non-empty (or accepted by `parse`); input that ends is an error. */
  async require<T>(question: string, parse: (answer: string) => T | undefined, problem: string): Promise<T> {
    for (;;) {
      const answer = await this.ask(question);
      if (answer === null) throw new CliError('no-answer', `input ended before an answer to "${question.trim()}"`, { hint: 'answer on the terminal, or pipe one line per question' });
      const value = parse(answer.trim());
      if (value !== undefined) return value;
      // From a pipe, a bad answer would be followed by more bad answers: stop at the first.
      if (!this.terminal) throw new CliError('bad-answer', `${problem}: "${answer.trim()}"`);
      this.output.write(`${problem}\n`);
    }
  }

  close(): void {
    if (!this.ended) this.rl.close();
  }

  private push(line: string | null): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(line);
    } else if (line !== null) this.lines.push(line);
  }
}

/** y/yes → true; anything else (the default) → false. */
export const isYes = (answer: string) => /^y(es)?$/i.test(answer.trim());
