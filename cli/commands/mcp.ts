import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';

export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve MCP over stdio for an AI agent (stdout carries the protocol only; logs go to stderr)')
    .action(action(mcp, { stdoutReserved: true }));
}

async function mcp(ctx: CliContext): Promise<number> {
  const { runStdioServer } = await import('../../mcp/stdio.js');
  await runStdioServer({ home: ctx.home });
  return 0;
}
