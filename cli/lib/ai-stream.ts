import type { AgentName, AiTaskEvent, PermissionRequest } from '../../server/protocol/index.js';
import type { Output } from '../output.js';
import { stepLine } from '../views/ai-tasks.js';
import type { PermissionDesk } from './ai-permissions.js';

export interface PrinterOptions {
  agent: AgentName;
  /** --json: nothing on stdout and no steps on stderr (permission requests still are). */
  quiet: boolean;
  /** Where permission requests go (asked, or printed with the commands that answer them). */
  desk: PermissionDesk;
}

/**
 * Shows a task's events as they come: the agent's text on stdout, as it wrote it; its steps (tool
 * uses and results, stderr, notices, status) as short dim lines on stderr. While a permission
 * question is on screen, the rest waits, so it is not drawn over the question.
 */
export class TaskPrinter {
  private held: (() => void)[] | null = null;
  private midLine = false;
  private stdoutGone = false;

  constructor(
    private readonly out: Output,
    private readonly o: PrinterOptions,
  ) {}

  event(e: AiTaskEvent): void {
    if (e.type === 'permission-request') {
      this.show(() => this.o.desk.request(e.data.permission as PermissionRequest));
      return;
    }
    // A decision takes its question off the screen at once, even while output waits.
    if (e.type === 'permission-decision') this.o.desk.decided(e.data.permission as PermissionRequest);
    if (this.o.quiet) return;
    if (e.type === 'text') {
      const text = typeof e.data.text === 'string' ? e.data.text : '';
      this.show(() => this.text(text));
      return;
    }
    const line = stepLine(e, this.out.paintErr);
    // Any other step ends a message of the agent: its next text starts a line of its own.
    this.show(() => this.step(line));
  }

  /** Hold output back (a question is on screen) or let it, and what waited, through. */
  hold(on: boolean): void {
    if (on) {
      this.held ??= [];
      return;
    }
    const waiting = this.held ?? [];
    this.held = null;
    for (const fn of waiting) fn();
  }

  /** stdout's reader went away: stop writing to it. */
  stdoutClosed(): void {
    this.stdoutGone = true;
  }

  /** End the agent's last line, so what follows (the shell prompt) starts on its own. */
  finish(): void {
    this.hold(false);
    this.endLine();
  }

  private show(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
  }

  /**
   * Gemini streams its answer in pieces (joined as they come); Claude's and Codex's text events
   * are whole messages, a line (or more) each.
   */
  private text(text: string): void {
    if (this.stdoutGone || text === '') return;
    const whole = this.o.agent !== 'gemini';
    if (whole) this.endLine();
    const tail = whole && !text.endsWith('\n') ? '\n' : '';
    this.out.raw(text + tail);
    this.midLine = !text.endsWith('\n') && tail === '';
  }

  private step(line: string | null): void {
    this.endLine();
    if (line !== null) this.out.note(line);
  }

  private endLine(): void {
    if (!this.midLine || this.stdoutGone) return;
    this.out.raw('\n');
    this.midLine = false;
  }
}
