import type { Command } from 'commander';
import type { ContextEntry } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { int, peerOption } from '../../options.js';
import { clip, formatTime, table } from '../../views/format.js';

interface ListOptions {
  prefix?: string;
  limit?: number;
  all?: boolean;
  peer?: string;
}

export function registerContextList(group: Command): void {
  group
    .command('list')
    .alias('ls')
    .description('list entries in key order (one page unless --all)')
    .option('--prefix <prefix>', 'only keys starting with this')
    .option('-n, --limit <n>', 'entries per page (1-500)', int(1, 500))
    .option('-a, --all', 'follow every page')
    .addOption(peerOption())
    .action(action(list));
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  const client = ctx.client(opts.peer);
  const items: ContextEntry[] = [];
  let cursor: string | undefined;
  let nextCursor: string | null = null;
  do {
    const page = await client.contextList({ prefix: opts.prefix, limit: opts.limit, cursor });
    items.push(...page.items);
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (opts.all && cursor);

  if (ctx.json) {
    ctx.out.data({ items, nextCursor });
    return 0;
  }
  if (items.length === 0) {
    ctx.out.note(opts.prefix ? `no keys start with "${opts.prefix}"` : 'the context is empty');
    return 0;
  }
  if (!ctx.out.interactive) {
    // Piped: one entry per line, tab-separated, the value as complete JSON (it has no tabs or newlines).
    for (const e of items) ctx.out.line([e.key, e.version, e.updatedAt, JSON.stringify(e.value)].join('\t'));
  } else {
    const valueWidth = Math.max(20, ctx.out.columns - 60);
    const rows = items.map((e) => [e.key, String(e.version), formatTime(e.updatedAt), clip(JSON.stringify(e.value), valueWidth)]);
    const [header = '', ...body] = table([['KEY', 'VERSION', 'UPDATED', 'VALUE'], ...rows]);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const line of body) ctx.out.line(line);
  }
  if (nextCursor) ctx.out.note(ctx.out.paintErr('dim', `more entries: use --all (or a larger --limit)`));
  return 0;
}
