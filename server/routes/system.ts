import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { NodeIdentity } from '../identity.js';
import type { HomePaths } from '../protocol/home.js';
import type { Identity, PeerStatus, Status } from '../protocol/index.js';
import type { ContextService } from '../services/context.js';
import type { ExecService } from '../services/exec/service.js';
import type { AiTaskService } from '../ai-tasks/service.js';
import type { DB } from '../store/db.js';
import { schemaVersionReader } from '../store/migrate.js';
import { VERSION } from '../version.js';

export interface SystemDeps {
  identity: NodeIdentity;
  config: Config;
  paths: HomePaths;
  db: DB;
  exec: ExecService;
  aiTasks: AiTaskService;
  context: ContextService;
  startedAt: number;
  address: () => AddressInfo | null;
  peerAddress: () => AddressInfo | null;
  isDraining: () => boolean;
}

const fileSize = (f: string) => {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
};

export function adminUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/admin/`;
}

export function systemRoutes(deps: SystemDeps): Router {
  const r = Router();
  const schemaVersion = schemaVersionReader(deps.db);

  r.get('/identity', (req, res) => {
    req.audit = { action: 'identity' };
    const body: Identity = {
      nodeId: deps.identity.nodeId,
      name: deps.config.name,
      fingerprint: deps.identity.fingerprint,
      certificate: deps.identity.certPem,
      version: VERSION,
    };
    res.json(body);
  });

  r.get('/status', (req, res) => {
    req.audit = { action: 'status' };
    const addr = deps.address();
    const port = addr?.port ?? deps.config.port;
    if (req.principal?.kind === 'peer') {
      const mine: PeerStatus = {
        nodeId: deps.identity.nodeId,
        name: deps.config.name,
        version: VERSION,
        startedAt: new Date(deps.startedAt).toISOString(),
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        draining: deps.isDraining(),
        jobs: { running: deps.exec.runningCount, maxConcurrent: deps.config.exec.maxConcurrent },
        aiTasks: deps.aiTasks.overview(),
      };
      res.json(mine);
      return;
    }
    const body: Status = {
      nodeId: deps.identity.nodeId,
      name: deps.config.name,
      version: VERSION,
      pid: process.pid,
      startedAt: new Date(deps.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      dataDir: deps.paths.home,
      listen: { host: deps.config.host, port },
      peerListen: deps.config.peer.enabled ? { host: deps.config.peer.host, port: deps.peerAddress()?.port ?? deps.config.peer.port } : null,
      adminUrl: adminUrl(deps.config.host, port),
      draining: deps.isDraining(),
      jobs: { running: deps.exec.runningCount, maxConcurrent: deps.config.exec.maxConcurrent },
      aiTasks: deps.aiTasks.overview(),
      context: { entries: deps.context.count(), maxEntries: deps.config.context.maxEntries },
      db: { schemaVersion: schemaVersion(), sizeBytes: fileSize(deps.paths.db) + fileSize(`${deps.paths.db}-wal`) },
      runtime: { node: process.version, platform: process.platform, arch: process.arch, rssBytes: process.memoryUsage.rss() },
    };
    res.json(body);
  });

  return r;
}
