import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp, type FerryApp } from '../../server/app.js';
import { AdminToken } from '../../server/auth/admin-token.js';
import { loadConfig, type Config } from '../../server/config.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../server/identity.js';
import { silentLogger } from '../../server/log.js';
import { homePaths } from '../../server/protocol/home.js';
import type { Clock } from '../../server/services/clock.js';
import { closeDatabase, openDatabase, type DB } from '../../server/store/db.js';
import { migrate } from '../../server/store/migrate.js';
import { tempHome } from './daemon.js';

export interface TestApp {
  ferry: FerryApp;
  app: FerryApp['app'];
  token: string;
  auth: { Authorization: string };
  home: string;
  db: DB;
  config: Config;
  /** Listen on 127.0.0.1:0 (for Socket.IO and SSE clients); returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

let identityCache: { dir: string; id: NodeIdentity } | undefined;

/**
 * A real app on a real SQLite file in a temp dir, not listening (supertest drives it in-process).
 * `set` entries are config overrides, exactly as `--set key=value` would give them.
 */
export async function makeTestApp(opts: { set?: string[]; clock?: Clock; adminDir?: string } = {}): Promise<TestApp> {
  const home = tempHome('ferry-api-');
  const paths = homePaths(home);
  const { config } = loadConfig({ env: {}, flags: { port: 0, name: 'test-node', set: opts.set } });
  // Issuing a certificate is the slow part of a first start: share one across the tests of a file.
  if (!identityCache) {
    const dir = tempHome('ferry-id-');
    identityCache = { dir, id: await loadOrCreateIdentity(homePaths(dir)) };
  }
  fs.mkdirSync(paths.identityDir, { recursive: true });
  for (const f of ['key.pem', 'cert.pem']) fs.copyFileSync(path.join(identityCache.dir, 'identity', f), path.join(paths.identityDir, f));
  const identity = await loadOrCreateIdentity(paths);
  const { token: adminToken } = AdminToken.loadOrCreate(paths.token);
  const token = fs.readFileSync(paths.token, 'utf8').trim();
  const db = openDatabase(paths.db);
  migrate(db);
  const ferry = createApp({
    config,
    paths,
    db,
    log: silentLogger,
    identity,
    adminToken,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.adminDir ? { adminDir: opts.adminDir } : {}),
  });
  let closed = false;
  return {
    ferry,
    app: ferry.app,
    token,
    auth: { Authorization: `Bearer ${token}` },
    home,
    db,
    config,
    listen: () =>
      new Promise((resolve) => {
        ferry.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(ferry.server.address() as AddressInfo).port}`));
      }),
    async close() {
      if (closed) return;
      closed = true;
      await ferry.shutdown('test');
      closeDatabase(db);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
