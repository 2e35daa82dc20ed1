import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AGENTS, AiTaskCreate, type AgentName, type AiTask } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { usageError } from '../../errors.js';
import { peerOption } from '../../options.js';
import { aiTaskExitCode } from '../../lib/ai-follow.js';
import { watchTask } from '../../lib/ai-watch.js';
import { seconds } from '../../lib/duration.js';
import { argOrStdin } from '../../lib/stdin.js';
import { doneLine, endNote, onPeer, QUEUED_NOTE } from '../../views/ai-tasks.js';
import { splitTarget } from '../exec.js';
import { rethrowExplained } from './hints.js';

interface RunOptions {
  agent: AgentName;
  cwd?: string;
  model?: string;
  timeout?: number;
  detach?: boolean;
  peer?: string;
}

/** A dispatch to a peer that has not answered after this long probably waits for its owner's approval. */
const SLOW_START_MS = 1500;

/** The model name as the daemon will check it (the same schema), so a bad one is a usage error here. */
function modelName(value: string): string {
  const r = AiTaskCreate.shape.model.safeParse(value);
  if (!r.success) throw new InvalidArgumentError(r.error.issues[0]?.message ?? 'not a model name');
  return value;
}

export function registerAiRun(group: Command): void {
  group
    .command('run')
    .description('give a coding agent a prompt, here or on a paired machine, and follow it: its answer on stdout, its steps on stderr')
    .usage('[options] [peer --] <prompt...>')
    .argument('<prompt...>', 'what to ask (the words, joined by spaces); - reads it from stdin')
    .addOption(new Option('-a, --agent <agent>', 'the agent that runs it').choices(AGENTS).default('claude'))
    .option('-C, --cwd <dir>', 'where the agent works (relative to here; absolute on a peer; default: the daemon\'s home directory)')
    .option('-m, --model <model>', 'passed to the agent\'s own --model', modelName)
    .option('--timeout <duration>', 'stop it after this long: 90s, 15m, 2h (exit 124; default: the daemon\'s aiTasks.defaultTimeoutMs, 30m)', seconds(1, 30 * 86_400))
    .option('-d, --detach', 'dispatch it and print the task id without following it')
    .addOption(peerOption())
    .addHelpText(
      'after',
      [
        '',
        'When the agent asks to use a tool, ferry asks you (y/N) if stdin is a terminal; otherwise it prints',
        'the request with the commands that answer it (`ferry ai allow|deny <task> <permission>`) and waits.',
        '',
        'Examples:',
        '  ferry ai run "explain what src/cache.ts does"',
        '  ferry ai run --agent codex --cwd ~/src/app "fix the failing test"',
        '  ferry ai run laptop -- "run the benchmarks and summarise them"   (on the paired machine "laptop")',
        '  git diff | ferry ai run --json -',
        '',
        'Exit code: 0 it succeeded; 1 it failed, was canceled elsewhere, interrupted or lost; 124 it timed',
        'out; 130 Ctrl-C (which cancels the task); 2 and 3 as everywhere.',
      ].join('\n'),
    )
    .action(action(run));
}

async function run(ctx: CliContext, opts: RunOptions, words: string[]): Promise<number> {
  const { peer, command } = targetOf(opts, words, ctx.rawArgs);
  const prompt = command.length === 1 && command[0] === '-' ? await argOrStdin('-', 'prompt', 'echo "fix the tests" | ferry ai run -') : command.join(' ');
  if (prompt.trim() === '') throw usageError('the prompt is empty', 'give it as words, or pipe it in with `-`');
  const req: AiTaskCreate = { agent: opts.agent, prompt };
  if (opts.cwd !== undefined) {
    // A relative directory means something only here: on a peer, it must be spelled out.
    if (peer !== undefined && !path.isAbsolute(opts.cwd)) throw usageError(`--cwd "${opts.cwd}" is relative, and ${peer} cannot know what it is relative to`, 'give an absolute path on that machine');
    req.cwd = peer === undefined ? path.resolve(opts.cwd) : opts.cwd;
  }
  if (opts.model !== undefined) req.model = opts.model;
  if (opts.timeout !== undefined) req.timeoutMs = opts.timeout * 1000;

  const client = ctx.client(peer);
  const slow = peer === undefined ? undefined : setTimeout(() => ctx.out.note(ctx.out.paintErr('dim', `ferry: waiting for ${peer} (if its policy asks first, its owner answers with \`ferry approvals\` there)`)), SLOW_START_MS);
  let task: AiTask;
  try {
    task = await client.createAiTask(req).catch(rethrowExplained({ peer }));
  } finally {
    clearTimeout(slow);
  }
  const where = peer === undefined ? '' : ` on ${peer}`;
  if (opts.detach) {
    if (ctx.json) ctx.out.data(task);
    else {
      ctx.out.line(task.id);
      ctx.out.note(ctx.out.paintErr('dim', `dispatched AI task ${task.id}${where} (${task.status}): follow it with \`ferry ai show ${task.id} --follow${onPeer(peer)}\``));
    }
    return 0;
  }

  ctx.out.note(ctx.out.paintErr('dim', `ferry: AI task ${task.id}${where} (${task.agent}${task.model ? `, ${task.model}` : ''}); Ctrl-C cancels it`));
  if (task.status === 'queued') ctx.out.note(ctx.out.paintErr('dim', QUEUED_NOTE));
  const { task: final, interruptedBy } = await watchTask(ctx, { client, peer, task, cancelOnInterrupt: true, ask: process.stdin.isTTY === true }).catch(
    rethrowExplained({ peer, taskId: task.id }),
  );
  const show = (flags = '') => `\`ferry ai show ${task.id}${flags}${onPeer(peer)}\``;
  if (ctx.json) {
    ctx.out.data(final ?? task);
  } else if (interruptedBy) {
    const how = final === null ? 'its state is unknown' : final.status === 'canceled' ? 'canceled' : `it is ${final.status}`;
    ctx.out.note(ctx.out.paintErr('yellow', `ferry: AI task ${task.id}${where}: ${how}; see it with ${show()}`));
  } else if (final) {
    const note = endNote(final);
    if (note) ctx.out.note(`${ctx.out.paintErr('yellow', `ferry: ${note}`)}\n${ctx.out.paintErr('dim', `its steps: ${show(' --events')}`)}`);
    else ctx.out.note(ctx.out.paintErr('dim', `ferry: ${doneLine(final)}`));
  }
  return aiTaskExitCode(final, interruptedBy);
}

/**
 * The machine to run on: `--peer <name>`, or (as `ferry exec` takes it) one word before `--`.
 * Without `--` every word is the prompt.
 */
function targetOf(opts: RunOptions, words: string[], typed: readonly string[]): { peer: string | undefined; command: string[] } {
  const { target, command } = splitTarget(words, typed);
  if (target.length > 1) throw usageError(`"${target.join(' ')}": name one machine before --`, 'e.g. `ferry ai run laptop -- "fix the tests"` (see `ferry peers`)');
  const named = target[0];
  if (named !== undefined && opts.peer !== undefined && named !== opts.peer) throw usageError(`two machines given: "${named}" before -- and --peer ${opts.peer}`, 'name one');
  return { peer: named ?? opts.peer, command };
}
