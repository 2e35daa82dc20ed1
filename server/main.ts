import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { AdminToken } from './auth/admin-token.js';
import { ConfigError, loadConfig, type ConfigFlags } from './config.js';
import { loadOrCreateIdentity } from './identity.js';
import { createLogger, type Logger } from './log.js';
import { homePaths, processAlive, resolveHome, type HomePaths, type RuntimeInfo } from './protocol/home.js';
import { adminUrl } from './routes/system.js';
import { closeDatabase, openDatabase } from './store/db.js';
import { MigrationError, migrate } from './store/migrate.js';
import { ensurePrivateDir, writeFileAtomic } from './util/atomic-file.js';
import { VERSION } from './version.js';
import { missingNodeFlags, nodeAbortsSqliteStatements } from './node-flags.js';

export { ConfigError, loadConfig, ENV_KEYS, type Config, type ConfigFlags } from './config.js';
export { MigrationError } from './store/migrate.js';

/** A start-up failure with a stable code and a message that says what to do. */
export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(
    readonly code: 'already-running' | 'port-in-use' | 'listen-failed',
    message: string,
  ) {
    super(message);
  }
}

export interface Daemon {
  url: string;
  port: number;
  home: string;
  pid: number;
  close(reason?: string): Promise<void>;
  /** Resolves when the daemon has stopped (by close() or a signal). */
  closed: Promise<void>;
}

export interface RunOptions {
  home?: string;
  flags?: ConfigFlags;
  env?: NodeJS.ProcessEnv;
  /** Drain and exit on SIGTERM/SIGINT (the default for a real daemon). */
  handleSignals?: boolean;
}

/** Data dir, identity and admin token, without starting anything. Safe to run twice. */
export async function initHome(opts: { home?: string } = {}): Promise<{ home: string; nodeId: string; name: string; fingerprint: string; tokenFile: string; created: boolean }> {
  const home = opts.home ?? resolveHome();
  const paths = homePaths(home);
  ensurePrivateDir(home);
  const { config } = loadConfig({ file: paths.config });
  const identity = await loadOrCreateIdentity(paths);
  const { created: tokenCreated } = AdminToken.loadOrCreate(paths.token);
  return { home, nodeId: identity.nodeId, name: config.name, fingerprint: identity.fingerprint, tokenFile: paths.token, created: identity.created || tokenCreated };
}


/**
 * One daemon per data dir: the pid file is created exclusively. A pid file whose process is gone
 * (after a crash) is stale and replaced.
 */
function claimPidFile(paths: HomePaths): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(paths.pid, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(paths.pid, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new DaemonError('already-running', `a daemon (pid ${pid}) is already running for ${paths.home}: \`ferry stop\` it first, or use another FERRY_HOME`);
      }
      fs.rmSync(paths.pid, { force: true });
    }
  }
  throw new DaemonError('already-running', `could not claim ${paths.pid}: another daemon is starting for ${paths.home}`);
}

function listen(server: http.Server, host: string, port: number, what: { name: string; env: string }): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new DaemonError('port-in-use', `${what.name} port ${port} on ${host} is in use (another daemon?): set ${what.env} to another port`));
      } else reject(new DaemonError('listen-failed', `cannot listen on ${host}:${port} (${what.name}): ${err.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Load config, open and migrate the DB, listen, and run until closed or signalled. */
export async function runDaemon(opts: RunOptions = {}): Promise<Daemon> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? resolveHome(env);
  const paths = homePaths(home);
  ensurePrivateDir(home);
  const { config, warnings } = loadConfig({ file: paths.config, env, flags: opts.flags });
  const log: Logger = createLogger({ level: config.logLevel, file: paths.log });
  for (const w of warnings) log.warn(w);

  claimPidFile(paths);
  const cleanups: (() => void)[] = [() => fs.rmSync(paths.pid, { force: true })];
  const cleanup = () => {
    for (const fn of cleanups.reverse()) {
      try {
        fn();
      } catch {
        // best effort on the way out
      }
    }
  };
  try {
    const identity = await loadOrCreateIdentity(paths);
    const { token: adminToken, created } = AdminToken.loadOrCreate(paths.token);
    const db = openDatabase(paths.db);
    cleanups.push(() => closeDatabase(db));
    const { from, to } = migrate(db);
    if (from !== to) log.info('database migrated', { from, to });

    const ferry = createApp({ config, paths, db, log, identity, adminToken });
    cleanups.push(() => void ferry.shutdown('start-up failed'));
    const addr = await listen(ferry.server, config.host, config.port, { name: 'local API', env: 'FERRY_PORT or --port' });
    let peerPort: number | null = null;
    if (ferry.peers.listener) {
      peerPort = (await listen(ferry.peers.listener.server as unknown as http.Server, config.peer.host, config.peer.port, { name: 'peer', env: 'FERRY_PEER_PORT' })).port;
      await ferry.peers.startNetwork(peerPort);
    }
    const resumed = ferry.services.transfers.resumeAll();
    if (resumed > 0) log.info('resuming transfers that were running when the daemon stopped', { count: resumed });
    cleanups.pop();
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address}:${addr.port}`;
    const runtime: RuntimeInfo = { pid: process.pid, url, host: config.host, port: addr.port, startedAt: new Date().toISOString(), version: VERSION, peerPort };
    writeFileAtomic(paths.runtime, JSON.stringify(runtime, null, 2) + '\n', 0o600);
    cleanups.splice(1, 0, () => fs.rmSync(paths.runtime, { force: true }));
    log.info('ferry daemon listening', {
      version: VERSION,
      nodeId: identity.nodeId,
      name: config.name,
      url,
      admin: adminUrl(config.host, addr.port),
      peerPort,
      home,
      tokenFile: paths.token,
      tokenCreated: created,
    });
    if (nodeAbortsSqliteStatements()) {
      log.warn('this Node.js version can crash the daemon: better-sqlite3 12 aborts the process when a statement is garbage collected on Node 24.19 and later', {
        node: process.versions.node,
        fix: 'run Ferry on Node 22 LTS (the Docker image does) or Node 20.19+ until Ferry moves to better-sqlite3 13; see docs/deploy.md',
      });
    }
    const missing = missingNodeFlags();
    if (missing.length > 0) {
      log.warn('node was started without the daemon\'s flags: a large file transfer will take more memory (~170 MB instead of ~135 MB)', {
        missing,
        fix: `start it as \`node ${missing.join(' ')} …\` (npm start, ferry start --detach, the Docker image and the systemd units do), or set NODE_OPTIONS="${missing.join(' ')}"`,
      });
    }

    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    let closing: Promise<void> | undefined;
    const close = (reason = 'close') =>
      (closing ??= (async () => {
        try {
          await ferry.shutdown(reason);
        } finally {
          cleanup();
          log.info('ferry daemon stopped', { reason });
          log.close();
          resolveClosed();
        }
      })());

    if (opts.handleSignals ?? true) {
      let signalled = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        if (++signalled > 1) {
          log.warn('second signal: exiting without waiting', { sig });
          process.exit(130);
        }
        void close(sig).then(() => process.exit(0));
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      void closed.then(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      });
    }
    return { url, port: addr.port, home, pid: process.pid, close, closed };
  } catch (err) {
    cleanup();
    log.error('the daemon could not start', { err: err instanceof Error ? err : new Error(String(err)) });
    log.close();
    throw err;
  }
}

/** `node dist/server/main.js`: run a daemon from the environment until a signal stops it. */
async function main(): Promise<void> {
  try {
    await runDaemon();
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof MigrationError || err instanceof DaemonError;
    process.stderr.write(`ferry: ${known ? (err as Error).message : (err as Error).stack}\n`);
    process.exit(known ? 2 : 1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) void main();
