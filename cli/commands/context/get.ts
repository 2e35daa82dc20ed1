import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { peerOption } from '../../options.js';
import { formatTime } from '../../views/format.js';

export function registerContextGet(group: Command): void {
  group
    .command('get')
    .description('print the value of a key (strings as they are, anything else as JSON; --json for the whole entry)')
    .argument('<key>', 'the key')
    .addOption(peerOption())
    .action(action(get));
}

async function get(ctx: CliContext, opts: { peer?: string }, key: string): Promise<number> {
  const entry = await ctx.client(opts.peer).contextGet(key);
  if (ctx.json) {
    ctx.out.data(entry);
    return 0;
  }
  ctx.out.line(typeof entry.value === 'string' ? entry.value : JSON.stringify(entry.value, null, 2));
  if (ctx.out.interactive) {
    const expires = entry.expiresAt ? ` · expires ${formatTime(entry.expiresAt)}` : '';
    ctx.out.note(ctx.out.paintErr('dim', `version ${entry.version} · updated ${formatTime(entry.updatedAt)} by ${entry.updatedBy}${expires}`));
  }
  return 0;
}
