import fs from 'node:fs';
import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';

export function registerKeyShow(group: Command): void {
  group
    .command('show')
    .description('print the admin token (to paste into the admin page); it grants full control, keep it secret')
    .action(action(show));
}

export function readToken(ctx: CliContext): string {
  try {
    return fs.readFileSync(ctx.paths.token, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError('not-initialized', `no admin token at ${ctx.paths.token}`, { hint: 'create one with `ferry init` (or `ferry start`)' });
    }
    throw err;
  }
}

async function show(ctx: CliContext): Promise<number> {
  const token = readToken(ctx);
  if (ctx.json) {
    ctx.out.data({ token, path: ctx.paths.token });
    return 0;
  }
  ctx.out.line(token);
  ctx.out.note(ctx.out.paintErr('yellow', `This token grants full control of the daemon (stored in ${ctx.paths.token}): keep it out of chats, logs and commits.`));
  return 0;
}
