import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { registerMcpAgents } from './mcp-agents.js';

export function registerMcp(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('serve MCP over stdio for an AI agent (stdout carries the protocol only; logs go to stderr); `ferry mcp add|remove|status` registers it with agents')
    .action(action(mcp_, { stdoutReserved: true }));
  registerMcpAgents(mcp);
}

async function mcp_(ctx: CliContext): Promise<number> {
  const { runStdioServer } = await import('../../mcp/stdio.js');
  await runStdioServer({ home: ctx.home });
  return 0;
}
