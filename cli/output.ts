import type { ReactNode } from 'react';
import { describeError, type ErrorReport } from './errors.js';
import { colorEnabled, painter, type Painter } from './style.js';

export interface OutputOptions {
  json: boolean;
  noColor?: boolean;
  /** `ferry mcp`: stdout belongs to the protocol, so even errors go to stderr. */
  stdoutReserved?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/**
 * Where every command writes. Three modes: `--json` (one JSON document on stdout, errors too),
 * interactive (stdout is a terminal: Ink views, colour) and plain (piped: stable text, no colour).
 */
export class Output {
  readonly json: boolean;
  /** True when stdout is a terminal and we are not in JSON mode: Ink views and spinners are fine. */
  readonly interactive: boolean;
  readonly paint: Painter;
  readonly paintErr: Painter;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;
  private readonly stdoutReserved: boolean;

  constructor(opts: OutputOptions) {
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.json = opts.json;
    this.stdoutReserved = opts.stdoutReserved ?? false;
    this.interactive = !opts.json && this.stdout.isTTY === true;
    this.paint = painter(!opts.json && colorEnabled(this.stdout, process.env, opts.noColor));
    this.paintErr = painter(colorEnabled(this.stderr, process.env, opts.noColor));
  }

  get columns(): number {
    return this.stdout.columns || 80;
  }

  /** A line of human output on stdout. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** Raw bytes on stdout (command output, a stored value) with no newline added. */
  raw(text: string | Uint8Array): boolean {
    return this.stdout.write(text);
  }

  /** The one JSON document of `--json` mode: indented for people, one line for pipes. */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, this.stdout.isTTY ? 2 : undefined)}\n`);
  }

  /** Side remarks for people (hints, warnings): stderr, so stdout stays clean for pipes. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** A static Ink view, rendered once to text (no raw mode, no cursor games). */
  async view(node: ReactNode): Promise<void> {
    const { renderToString } = await import('ink');
    this.stdout.write(`${renderToString(node, { columns: this.columns })}\n`);
  }

  /** Print a failure the way the mode asks for and return the exit code it maps to. */
  fail(err: unknown): number {
    const report = describeError(err);
    if (this.json && !this.stdoutReserved) this.data({ error: errorBody(report) });
    else this.printError(report);
    if (process.env.FERRY_DEBUG && err instanceof Error && err.stack) this.stderr.write(`${err.stack}\n`);
    return report.exit;
  }

  private printError(report: ErrorReport): void {
    const p = this.paintErr;
    this.stderr.write(`${p('red', p('bold', 'error'))}: ${report.message} ${p('gray', `[${report.code}]`)}\n`);
    if (report.hint) this.stderr.write(`${p('cyan', 'hint')}: ${report.hint}\n`);
  }
}

export function errorBody(report: ErrorReport): { code: string; message: string; details?: unknown } {
  return report.details === undefined
    ? { code: report.code, message: report.message }
    : { code: report.code, message: report.message, details: report.details };
}
