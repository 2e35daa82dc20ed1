import type { McpLog } from './deps.js';

/**
 * JSON lines on stderr. A stdio MCP server owns stdout for JSON-RPC, so nothing else may ever be
 * written there. Callers must not pass secrets (tokens, env values, stdin) in fields.
 */
export const stderrLog: McpLog = (msg, fields) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), component: 'mcp', msg, ...fields }) + '\n');
};

export const silentLog: McpLog = () => undefined;
