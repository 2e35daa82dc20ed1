import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { peerOption } from '../options.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the running daemon: name, node id, address, jobs, context, database (--peer: what a paired machine shares)')
    .addOption(peerOption())
    .action(action(status));
}

async function status(ctx: CliContext, opts: { peer?: string }): Promise<number> {
  const { createElement } = await import('react');
  if (opts.peer !== undefined) {
    // A peer shows paired machines less than it shows its own admin: no paths, no process details.
    const s = await ctx.client(opts.peer).peerStatus();
    if (ctx.json) ctx.out.data(s);
    else {
      const { PeerStatusView, peerStatusPlain } = await import('../views/StatusView.js');
      if (ctx.out.interactive) await ctx.out.view(createElement(PeerStatusView, { status: s }));
      else for (const line of peerStatusPlain(s)) ctx.out.line(line);
    }
    return 0;
  }
  const s = await ctx.client().status();
  if (ctx.json) {
    ctx.out.data(s);
    return 0;
  }
  const { StatusView, statusPlain } = await import('../views/StatusView.js');
  if (ctx.out.interactive) await ctx.out.view(createElement(StatusView, { status: s }));
  else for (const line of statusPlain(s)) ctx.out.line(line);
  return 0;
}
