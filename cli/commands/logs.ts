import fs from 'node:fs';
import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { int } from '../options.js';
import { tailFile } from '../lib/daemon.js';
import { followFile } from '../lib/follow.js';
import { prettyLogLine } from '../views/log-line.js';

interface LogsOptions {
  lines: number;
  follow?: boolean;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print the daemon\'s log (logs/daemon.log in the data dir); --json passes the JSON lines through')
    .option('-n, --lines <n>', 'how many of the last lines', int(0), 50)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(action(logs));
}

async function logs(ctx: CliContext, opts: LogsOptions): Promise<number> {
  const file = ctx.paths.log;
  const print = (line: string) => {
    if (line === '') return;
    ctx.out.line(ctx.json ? line : prettyLogLine(line, ctx.out.paint));
  };
  const exists = fs.existsSync(file);
  if (!exists && !opts.follow) {
    throw new CliError('log-not-found', `no daemon log at ${file}`, {
      hint: 'the daemon writes it once it has started with this data dir: `ferry start`',
    });
  }
  const offset = exists ? fs.statSync(file).size : 0;
  if (exists) for (const line of tailFile(file, opts.lines, offset).split('\n')) print(line);
  if (!opts.follow) return 0;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await followFile(file, offset, (lines) => lines.forEach(print), stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
