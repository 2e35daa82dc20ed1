import path from 'node:path';
import type { Command } from 'commander';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { ExecRequest } from '../../server/protocol/index.js';
import { action, type CliContext } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { collectKeyValue, int, toRecord } from '../options.js';
import { EXIT_NOT_FOUND, jobEndNote, jobExitCode } from '../lib/job-exit.js';
import { runJob } from '../lib/run-job.js';
import { explainPeerError } from '../lib/peer.js';
import { readStdin } from '../lib/stdin.js';

interface ExecOptions {
  shell?: boolean;
  cwd?: string;
  env?: string[];
  timeout?: number;
  detach?: boolean;
  stdin?: boolean;
}

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command through the daemon (or on a paired machine), streaming its output; exits with the command\'s exit code')
    .usage('[options] [peer] -- <command> [args...]')
    .argument('<command...>', 'the program and its arguments (after --, so their options stay theirs)')
    .option('--shell', 'run the words as one /bin/sh command line (pipes, globs, $VARS) instead of a program')
    .option('-C, --cwd <dir>', 'working directory (relative to here, absolute on a peer; default: the daemon\'s)')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collectKeyValue)
    .option('--timeout <ms>', 'stop the command after this many milliseconds (exit code 124)', int(1))
    .option('--stdin', 'pass what is piped into ferry to the command\'s stdin (up to 1 MiB)')
    .option('-d, --detach', 'start it and print the job id without waiting')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  ferry exec -- ls -la /tmp',
        '  ferry exec --shell -- \'du -sh * | sort -h\'',
        '  ferry exec --timeout 5000 --env DEBUG=1 -- npm test',
        '  cat notes.txt | ferry exec --stdin -- wc -l',
        '  ferry exec laptop -- uname -a          (on the paired machine "laptop")',
        '',
        'Exit code: the command\'s own; 124 if it timed out; 128+n if signal n ended it (130 after',
        'Ctrl-C, which cancels the job); 127 if there is no such command; 1-3 for ferry\'s own errors.',
      ].join('\n'),
    )
    .action(action(exec));
}

/**
 * Words before `--` name where to run (a paired peer); words after it are the command.
 * Without `--` every word is the command. Commander drops the `--`, so it is found in what was typed.
 */
export function splitTarget(operands: readonly string[], typed: readonly string[]): { target: string[]; command: string[] } {
  const sep = typed.indexOf('--');
  if (sep < 0) return { target: [], command: [...operands] };
  const commandLength = Math.min(typed.length - sep - 1, operands.length);
  return { target: operands.slice(0, operands.length - commandLength), command: operands.slice(operands.length - commandLength) };
}

async function buildRequest(opts: ExecOptions, command: string[], peer: string | undefined): Promise<ExecRequest> {
  if (opts.stdin && process.stdin.isTTY) {
    throw usageError('--stdin passes piped input, but stdin is a terminal', 'pipe something in: `cat file | ferry exec --stdin -- wc -l`');
  }
  const env = toRecord(opts.env);
  const req: ExecRequest = opts.shell ? { shell: command.join(' ') } : { argv: command };
  if (opts.cwd !== undefined) {
    // A relative directory means something only here: on a peer, it must be spelled out.
    if (peer !== undefined && !path.isAbsolute(opts.cwd)) throw usageError(`--cwd "${opts.cwd}" is relative, and ${peer} cannot know what it is relative to`, 'give an absolute path on that machine');
    req.cwd = peer === undefined ? path.resolve(opts.cwd) : opts.cwd;
  }
  if (env) req.env = env;
  if (opts.timeout !== undefined) req.timeoutMs = opts.timeout;
  if (opts.stdin) req.stdin = await readStdin();
  return req;
}

async function exec(ctx: CliContext, opts: ExecOptions, operands: string[]): Promise<number> {
  const { target, command } = splitTarget(operands, ctx.rawArgs);
  if (target.length > 1) {
    throw usageError(`"${target.join(' ')}": name one machine before --`, 'e.g. `ferry exec laptop -- uname -a` (see `ferry peers`)');
  }
  const peer = target[0];
  if (command.length === 0) throw usageError('no command to run', 'put it after --: `ferry exec -- ls -la`');
  const req = await buildRequest(opts, command, peer);
  try {
    return await run(ctx, ctx.client(peer), req, opts, peer);
  } catch (err) {
    // No such program: the shell's 127, so `ferry exec -- x || …` reads like running x directly.
    if (err instanceof FerryError && err.code === 'command-not-found') {
      const hint = peer === undefined ? notFoundHint(command[0] ?? '') : `${peer} looks "${command[0]}" up on its own PATH: check the name, give an absolute path, or use --shell`;
      throw new CliError(err.code, err.message, { exit: EXIT_NOT_FOUND, details: err.details, hint });
    }
    throw peer === undefined ? err : explainPeerError(err, peer);
  }
}

async function run(ctx: CliContext, client: FerryClient, req: ExecRequest, opts: ExecOptions, peer: string | undefined): Promise<number> {
  const on = peer === undefined ? '' : ` --peer ${peer}`;
  if (opts.detach) {
    const job = await client.exec({ ...req, wait: false });
    if (ctx.json) ctx.out.data(job);
    else {
      ctx.out.line(job.id);
      ctx.out.note(ctx.out.paintErr('dim', `started job ${job.id}: see it with \`ferry jobs show ${job.id}${on}\``));
    }
    return 0;
  }
  const onSlowStart = peer === undefined ? undefined : () => ctx.out.note(ctx.out.paintErr('dim', `ferry: waiting for ${peer} (if its policy asks first, its owner answers with \`ferry approvals\` there)`));
  const { job, canceledBy } = await runJob(client, req, { quiet: ctx.json, ...(onSlowStart && { onSlowStart }) });
  if (ctx.json) ctx.out.data(job);
  else if (!canceledBy) {
    const note = jobEndNote(job);
    if (note) process.stderr.write(`${ctx.out.paintErr('yellow', note)}\n`);
    if (job.stdoutTruncated || job.stderrTruncated) {
      ctx.out.note(ctx.out.paintErr('dim', 'ferry: output past the daemon\'s cap (exec.outputCapBytes) was dropped'));
    }
  }
  return jobExitCode(job, canceledBy);
}

function notFoundHint(program: string): string {
  return `if "${program}" is a shell built-in or alias, or only on your login shell's PATH, run it with --shell or by its absolute path`;
}
