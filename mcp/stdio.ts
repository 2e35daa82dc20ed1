import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { localClient } from '../server/client/local.js';
import { resolveHome } from '../server/protocol/home.js';
import { stderrLog } from './log.js';
import { createFerryMcpServer, whenIdle } from './server.js';

/**
 * Serve MCP over stdin/stdout until stdin closes (the agent quit) or SIGTERM/SIGINT arrives, then
 * cancel the jobs of calls still in flight and resolve. stdout carries JSON-RPC only; logs go to
 * stderr. The client is made per call from the data dir, so the server starts (and stays useful)
 * even when the daemon is not running yet: tools answer daemon-unreachable until it is.
 */
export async function runStdioServer(opts: { home?: string } = {}): Promise<void> {
  const home = opts.home ?? resolveHome();
  const log = stderrLog;
  const server = createFerryMcpServer({ client: () => localClient({ home }), log });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    const before = server.server.onclose;
    server.server.onclose = () => {
      before?.();
      resolve();
    };
  });

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log('mcp server stopping', { reason: why });
    void server.close().catch((err: unknown) => log('close failed', { err: String(err) }));
  };
  const onEnd = () => stop('stdin closed');
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  // EPIPE on stdout: the client is gone, and an unhandled 'error' would crash without cleanup.
  const onStdoutError = () => stop('stdout closed');
  process.stdin.once('end', onEnd);
  process.stdin.once('close', onEnd);
  process.stdout.on('error', onStdoutError);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  try {
    await server.connect(transport);
    log('mcp server ready', { home });
    void checkDaemon(home);
    await closed;
    await whenIdle(server);
  } finally {
    process.stdin.off('end', onEnd);
    process.stdin.off('close', onEnd);
    process.stdout.off('error', onStdoutError);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // Stop reading: a paused but open stdin could keep the process alive after a signal.
    process.stdin.destroy();
  }
}

/** Tell whoever reads the agent's MCP logs, once at start, if the daemon is not there yet. */
async function checkDaemon(home: string): Promise<void> {
  try {
    await localClient({ home }).health();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    stderrLog('ferry daemon not available yet; tools will report it until `ferry start`', {
      code: typeof code === 'string' ? code : 'unknown',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}
