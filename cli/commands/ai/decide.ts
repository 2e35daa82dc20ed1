import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { peerOption } from '../../options.js';
import { toolLine } from '../../views/ai-tasks.js';
import { rethrowExplained } from './hints.js';

interface DecideOptions {
  message?: string;
  peer?: string;
}

export function registerAiDecide(group: Command): void {
  group
    .command('allow')
    .description('let a task\'s agent use the tool it asked for')
    .argument('<task>', 'task id')
    .argument('<permission>', 'permission request id (from `ferry ai show <task>`, or printed by `ferry ai run`)')
    .addOption(peerOption())
    .action(action((ctx: CliContext, opts: DecideOptions, task: string, permission: string) => decide(ctx, opts, task, permission, 'allow')));

  group
    .command('deny')
    .description('refuse a task\'s agent the tool it asked for (it is told, and goes on without it)')
    .argument('<task>', 'task id')
    .argument('<permission>', 'permission request id (from `ferry ai show <task>`, or printed by `ferry ai run`)')
    .option('-m, --message <text>', 'tell the agent why (or what to do instead)')
    .addOption(peerOption())
    .action(action((ctx: CliContext, opts: DecideOptions, task: string, permission: string) => decide(ctx, opts, task, permission, 'deny')));
}

async function decide(ctx: CliContext, opts: DecideOptions, taskId: string, permissionId: string, behavior: 'allow' | 'deny'): Promise<number> {
  const p = await ctx
    .client(opts.peer)
    .decidePermission(taskId, permissionId, { behavior, ...(opts.message !== undefined && { message: opts.message }) })
    .catch(rethrowExplained({ peer: opts.peer, taskId }));
  if (ctx.json) {
    ctx.out.data(p);
    return 0;
  }
  ctx.out.line(`${p.status} ${p.id}: ${toolLine(p.tool, p.input)} (AI task ${p.taskId})`);
  return 0;
}
