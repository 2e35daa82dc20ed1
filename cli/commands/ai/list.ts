import { Option, type Command } from 'commander';
import { AI_TASK_STATUSES, type AiTaskStatus } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { int, peerOption } from '../../options.js';
import { aiTasksPlain, aiTasksTable, onPeer } from '../../views/ai-tasks.js';
import { rethrowExplained } from './hints.js';

interface ListOptions {
  status?: AiTaskStatus;
  limit: number;
  peer?: string;
}

export function registerAiList(group: Command): void {
  group
    .command('list', { isDefault: true })
    .alias('ls')
    .description('recent AI tasks, newest first, with the permission requests they wait on')
    .addOption(new Option('--status <status>', 'only tasks in this state').choices(AI_TASK_STATUSES))
    .option('-n, --limit <n>', 'how many (1-500)', int(1, 500), 20)
    .addOption(peerOption())
    .action(action(list));
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  const page = await ctx
    .client(opts.peer)
    .aiTasks({ ...(opts.status && { status: opts.status }), limit: opts.limit })
    .catch(rethrowExplained({ peer: opts.peer }));
  if (ctx.json) {
    ctx.out.data(page);
    return 0;
  }
  if (page.items.length === 0) {
    const start = `\`ferry ai run${opts.peer === undefined ? '' : ` ${opts.peer} --`} "<prompt>"\``;
    ctx.out.note(opts.status ? `no ${opts.status} AI tasks` : opts.peer ? `no AI tasks of yours on ${opts.peer} yet: dispatch one with ${start}` : `no AI tasks yet: dispatch one with ${start}`);
    return 0;
  }
  if (ctx.out.interactive) {
    const [header = '', ...rows] = aiTasksTable(page.items, ctx.out.columns);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else for (const line of aiTasksPlain(page.items)) ctx.out.line(line);
  const asking = page.items.filter((t) => t.pendingPermissions > 0);
  if (asking.length > 0) {
    const first = asking[0]!;
    ctx.out.note(ctx.out.paintErr('yellow', `${asking.length === 1 ? '1 task waits' : `${asking.length} tasks wait`} for a permission decision: \`ferry ai show ${first.id}${onPeer(opts.peer)}\` shows how to answer`));
  }
  return 0;
}
