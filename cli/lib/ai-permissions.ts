import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { PermissionRequest } from '../../server/protocol/index.js';
import { describeError } from '../errors.js';
import type { Painter } from '../style.js';
import { decideCommands, permissionQuestion, permissionRequestLines } from '../views/ai-tasks.js';
import { isYes, Prompter } from './prompt.js';

export interface DeskOptions {
  client: FerryClient;
  taskId: string;
  agent: string;
  peer: string | undefined;
  /** Ask the person at the terminal; otherwise print the commands that decide, and go on. */
  ask: boolean;
  paint: Painter;
  /** A line on stderr, shown at once (the desk's own lines are never held back). */
  say: (line: string) => void;
  /** A question opened (true) or closed (false): other output waits while one is on screen. */
  onBusy: (busy: boolean) => void;
}

interface Question {
  permission: PermissionRequest;
  prompter: Prompter;
  abandoned: boolean;
}

/**
 * The tool permission requests of a followed task. At a terminal each one is a y/N question, one
 * at a time, and the answer is sent to the daemon; a request decided elsewhere (the admin page,
 * another terminal, its timeout) takes its question off the screen. Elsewhere (a pipe, a script)
 * the request is printed with the exact commands that answer it, and following goes on.
 */
export class PermissionDesk {
  private readonly waiting: PermissionRequest[] = [];
  private readonly settled = new Set<string>();
  private current: Question | null = null;
  private closed = false;

  constructor(private readonly o: DeskOptions) {}

  request(p: PermissionRequest): void {
    if (this.settled.has(p.id) || this.closed) return;
    if (!this.o.ask) {
      for (const line of permissionRequestLines(p, this.o.agent, this.o.peer, this.o.paint)) this.o.say(line);
      return;
    }
    this.waiting.push(p);
    this.next();
  }

  /** The daemon recorded a decision (ours or anyone's): that request is no longer a question. */
  decided(p: PermissionRequest): void {
    this.settled.add(p.id);
    const i = this.waiting.findIndex((w) => w.id === p.id);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.current?.permission.id === p.id) this.abandon(this.current);
  }

  /** No more questions (the task ended, or we are leaving). */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    if (this.current) this.abandon(this.current);
  }

  private abandon(q: Question): void {
    q.abandoned = true;
    q.prompter.close(); // the pending question resolves with no answer
    // The prompt's line is left as it was: what follows starts on a line of its own.
    process.stderr.write('\n');
  }

  private next(): void {
    if (this.current || this.closed) return;
    const p = this.waiting.shift();
    if (!p) return;
    const q: Question = { permission: p, prompter: new Prompter(), abandoned: false };
    this.current = q;
    this.o.onBusy(true);
    const [headline = ''] = permissionRequestLines(p, this.o.agent, this.o.peer, this.o.paint);
    this.o.say(headline);
    void q.prompter
      .ask(permissionQuestion(p))
      .then(async (answer) => {
        q.prompter.close();
        if (q.abandoned) return;
        if (answer === null) {
          // Input ended (Ctrl-D): leave it to someone else, as off a terminal.
          const cmds = decideCommands(p.taskId, p.id, this.o.peer);
          this.o.say(`  not answered here: ${cmds.allow} · ${cmds.deny}`);
          return;
        }
        await this.send(p, isYes(answer) ? 'allow' : 'deny');
      })
      .finally(() => {
        this.current = null;
        this.o.onBusy(false);
        this.next();
      });
  }

  private async send(p: PermissionRequest, behavior: 'allow' | 'deny'): Promise<void> {
    try {
      await this.o.client.decidePermission(p.taskId, p.id, { behavior });
    } catch (err) {
      // Decided elsewhere a moment before: the stream shows by whom.
      if (err instanceof FerryError && err.code === 'permission-already-decided') return;
      const r = describeError(err);
      const cmds = decideCommands(p.taskId, p.id, this.o.peer);
      this.o.say(this.o.paint('red', `ferry: could not send the decision: ${r.message} [${r.code}]`));
      this.o.say(`  try again with: ${behavior === 'allow' ? cmds.allow : cmds.deny}`);
    }
  }
}
