import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { formatTime } from '../../views/format.js';

export function registerContextGet(group: Command): void {
  group
    .command('get')
    .description('print the value of a key (strings as they are, anything else as JSON; --json for the whole entry)')
    .argument('<key>', 'the key')
    .action(action(get));
}

async function get(ctx: CliContext, _opts: object, key: string): Promise<number> {
  const entry = await ctx.client().contextGet(key);
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
