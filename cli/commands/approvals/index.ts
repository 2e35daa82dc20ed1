import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { followApprovals } from './watch.js';

interface ListOptions {
  all?: boolean;
  watch?: boolean;
}

export function registerApprovals(program: Command): void {
  program
    .command('approvals')
    .description('requests from peers waiting for your yes or no (their policy says "ask")')
    .option('-a, --all', 'also the decided and expired ones')
    .option('-w, --watch', 'keep printing new requests as they come (Ctrl-C to stop)')
    .action(action(list));

  program
    .command('approve')
    .description('let a waiting peer request run')
    .argument('<id>', 'from `ferry approvals`')
    .option('--remember', 'and let that peer run the same program(s) from now on without asking')
    .action(action((ctx: CliContext, opts: { remember?: boolean }, id: string) => decide(ctx, id, 'approve', opts.remember === true)));

  program
    .command('deny')
    .description('refuse a waiting peer request (the peer gets scope-denied)')
    .argument('<id>', 'from `ferry approvals`')
    .action(action((ctx: CliContext, _opts: object, id: string) => decide(ctx, id, 'deny', false)));
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  if (opts.watch) return followApprovals(ctx);
  const { items } = await ctx.client().approvals(opts.all ? undefined : 'pending');
  if (ctx.json) {
    ctx.out.data({ items });
    return 0;
  }
  if (items.length === 0) {
    ctx.out.note(opts.all ? 'no approvals yet' : 'nothing waits for an answer (`--watch` to wait for requests)');
    return 0;
  }
  const { approvalsPlain, approvalsTable, approvalHint } = await import('../../views/approvals.js');
  if (ctx.out.interactive) {
    const [header = '', ...rows] = approvalsTable(items, ctx.out.columns);
    ctx.out.line(ctx.out.paint('bold', header));
    for (const row of rows) ctx.out.line(row);
  } else for (const line of approvalsPlain(items)) ctx.out.line(line);
  const first = items.find((a) => a.status === 'pending');
  if (first) ctx.out.note(ctx.out.paintErr('dim', approvalHint(first)));
  return 0;
}

async function decide(ctx: CliContext, id: string, decision: 'approve' | 'deny', remember: boolean): Promise<number> {
  const a = await ctx.client().decideApproval(id, decision, remember);
  if (ctx.json) {
    ctx.out.data(a);
    return 0;
  }
  ctx.out.line(`${a.status} ${a.id}: ${a.peer.name}'s ${a.summary}`);
  if (a.remember && a.programs.length > 0) ctx.out.line(`${a.peer.name} may run ${a.programs.join(', ')} from now on without asking`);
  return 0;
}
