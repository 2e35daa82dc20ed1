import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the running daemon: name, node id, address, jobs, context, database')
    .action(action(status));
}

async function status(ctx: CliContext): Promise<number> {
  const s = await ctx.client().status();
  if (ctx.json) {
    ctx.out.data(s);
    return 0;
  }
  const { StatusView, statusPlain } = await import('../views/StatusView.js');
  if (ctx.out.interactive) {
    const { createElement } = await import('react');
    await ctx.out.view(createElement(StatusView, { status: s }));
  }
  else for (const line of statusPlain(s)) ctx.out.line(line);
  return 0;
}
