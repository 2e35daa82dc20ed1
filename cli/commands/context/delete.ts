import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { int, peerOption } from '../../options.js';

export function registerContextDelete(group: Command): void {
  group
    .command('delete')
    .alias('rm')
    .description('delete a key')
    .argument('<key>', 'the key')
    .option('--if-version <n>', 'delete only if the current version is n', int(0))
    .addOption(peerOption())
    .action(action(del));
}

async function del(ctx: CliContext, opts: { ifVersion?: number; peer?: string }, key: string): Promise<number> {
  const result = await ctx.client(opts.peer).contextDelete(key, opts.ifVersion === undefined ? {} : { ifVersion: opts.ifVersion });
  if (ctx.json) ctx.out.data(result);
  else ctx.out.line(`deleted ${key} (was version ${result.version})`);
  return 0;
}
