/** The wire contract shared by the daemon, its client, the CLI, the MCP server and the admin. */
export * from './errors.js';
export * from './common.js';
export * from './system.js';
export * from './auth.js';
export * from './context.js';
export * from './exec.js';
export * from './audit.js';
export * from './events.js';
export * from './peers.js';
export * from './files.js';
export * from './messages.js';
export * from './ai-tasks.js';

export * from './constants.js';
