#!/usr/bin/env node
// Direct entry for the stdio MCP server (`node dist/mcp/main.js`); `ferry mcp` does the same.
import { runStdioServer } from './stdio.js';

runStdioServer().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`ferry mcp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
