import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';

export function registerKeyRotate(group: Command): void {
  group
    .command('rotate')
    .description('replace the admin token: the old one and every admin session stop working at once')
    .option('--show', 'also print the new token')
    .action(action(rotate));
}

async function rotate(ctx: CliContext, opts: { show?: boolean }): Promise<number> {
  // The daemon writes the new token to admin.token itself; the CLI only reports where it is.
  const { token, rotatedAt } = await ctx.client().rotateToken();
  if (ctx.json) {
    ctx.out.data({ rotatedAt, path: ctx.paths.token, ...(opts.show && { token }) });
    return 0;
  }
  ctx.out.line(`Rotated the admin token. The new one is in ${ctx.paths.token}; the old one and all admin sessions are revoked.`);
  if (opts.show) ctx.out.line(token);
  else ctx.out.note(ctx.out.paintErr('dim', 'Print it with `ferry key show`.'));
  return 0;
}
