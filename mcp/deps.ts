import type { FerryClient } from '../server/client/index.js';

export type McpLog = (msg: string, fields?: object) => void;

export interface FerryMcpDeps {
  /**
   * The local daemon's client, or a function that makes one per call. The stdio server passes a
   * function so that a daemon started (or restarted on another port, or with a rotated token)
   * after the MCP server is still found.
   */
  client: FerryClient | (() => FerryClient);
  /** Diagnostics. Must never write to stdout: in a stdio server stdout is the protocol. */
  log?: McpLog;
}

/** What every tool and resource registration receives (built once by createFerryMcpServer). */
export interface ToolDeps {
  /** The client for this call; throws a FerryError when the data dir has no daemon to offer. */
  client(): FerryClient;
  log: McpLog;
  /** Keep a handler's promise so a shutdown can wait for cleanups (job cancels) to finish. */
  track<T>(work: Promise<T>): Promise<T>;
}
