import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir, the node identity and the admin token (does not start the daemon)')
    .action(action(init));
}

async function init(ctx: CliContext): Promise<number> {
  // The daemon's entry point is loaded only here: it pulls in the database and the web stack.
  const { initHome } = await import('../../server/main.js');
  const result = await initHome({ home: ctx.home });
  if (ctx.json) {
    ctx.out.data(result);
    return 0;
  }
  const p = ctx.out.paint;
  ctx.out.line(result.created ? p('green', 'Initialised a new Ferry node.') : 'This data dir was already initialised; nothing changed.');
  ctx.out.line(`  ${p('dim', 'node id ')}  ${result.nodeId}`);
  ctx.out.line(`  ${p('dim', 'name    ')}  ${result.name}`);
  ctx.out.line(`  ${p('dim', 'data dir')}  ${result.home}`);
  ctx.out.line(`  ${p('dim', 'token   ')}  ${result.tokenFile} ${p('dim', '(print it with `ferry key show`)')}`);
  ctx.out.note(ctx.out.paintErr('dim', 'Next: `ferry start` (or `ferry start --detach`).'));
  return 0;
}
