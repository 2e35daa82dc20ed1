import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AdminToken } from './auth/admin-token.js';
import { SessionStore } from './auth/sessions.js';
import type { Config } from './config.js';
import { EventBus } from './events/bus.js';
import { auditRequests } from './http/audit-middleware.js';
import { requireAuth } from './http/auth.js';
import { ApiError, errorHandler, notFound } from './http/errors.js';
import { hostCheck, makeHostAllowList } from './http/host-check.js';
import { authFailureLimiter } from './http/rate-limit.js';
import { SseHub } from './http/sse.js';
import type { NodeIdentity } from './identity.js';
import type { Logger } from './log.js';
import type { HomePaths } from './protocol/home.js';
import { API_PREFIX } from './protocol/index.js';
import { attachSocket, type FerryIo } from './realtime/socket.js';
import { adminRoutes, loadAdminBundle } from './routes/admin-static.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { contextRoutes } from './routes/context.js';
import { eventRoutes } from './routes/events.js';
import { execRoutes } from './routes/exec.js';
import { publicRoutes } from './routes/public.js';
import { systemRoutes } from './routes/system.js';
import { AuditService } from './services/audit.js';
import { systemClock, type Clock } from './services/clock.js';
import { ContextService } from './services/context.js';
import { ExecService } from './services/exec/service.js';
import { createPeers, type Peers } from './peers/index.js';
import type { PolicyService } from './policy/service.js';
import { peerControlRoutes } from './routes/peers.js';
import { fileRoutes } from './routes/files.js';
import { FileAccess } from './files/access.js';
import { UploadService } from './files/uploads.js';
import { UploadStore } from './files/upload-store.js';
import { TransferService } from './files/transfers.js';
import { TransferStore } from './files/transfer-store.js';
import { LocalEndpoint, RemoteEndpoint } from './files/endpoints.js';
import { transferRoutes } from './routes/transfers.js';
import { messageRoutes } from './routes/messages.js';
import { broadcastRoutes } from './routes/broadcast.js';
import { createMcpHttpHandler } from '../mcp/http.js';
import { localClient } from './client/local.js';
import { AuditStore } from './store/audit-store.js';
import { ContextStore } from './store/context-store.js';
import type { DB } from './store/db.js';
import { JobStore } from './store/job-store.js';
import { AiTaskService } from './ai-tasks/service.js';
import { AiTaskStore } from './ai-tasks/store.js';
import { aiTaskPermissionPromptRoute, aiTaskRoutes } from './routes/ai-tasks.js';
import { PACKAGE_ROOT } from './version.js';

/** Everything the app needs, passed in once (no singletons): tests build their own. */
export interface AppDeps {
  config: Config;
  paths: HomePaths;
  db: DB;
  log: Logger;
  identity: NodeIdentity;
  adminToken: AdminToken;
  clock?: Clock;
  /** Where the built admin SPA is; defaults to admin/build in the install. */
  adminDir?: string;
  /** Ferry's MCP permission server for agents; defaults to dist/mcp/permission-server.js in the install. */
  permissionServer?: string;
}

export interface FerryApp {
  app: Express;
  /** Not listening yet: main (or a test) calls listen. */
  server: http.Server;
  /** Everything between daemons; `peers.listener` is the mutual-TLS server (not listening yet), null when off. */
  peers: Peers;
  io: FerryIo;
  bus: EventBus;
  services: { context: ContextService; exec: ExecService; audit: AuditService; transfers: TransferService; uploads: UploadService; aiTasks: AiTaskService };
  /** Stop taking requests, end streams and jobs, wait for in-flight requests (bounded). The DB stays open. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Bodies are JSON, except the two routes that stream file content: upload data (raw bytes) and the
 * one-shot multipart upload. Anything else is a 415 before any parsing.
 */
export const RAW_BODY_ROUTES: readonly [method: string, pattern: RegExp, type: string][] = [
  ['PUT', /^(\/peers\/[^/]+)?\/files\/uploads\/[^/]+$/, 'application/octet-stream'],
  ['POST', /^(\/peers\/[^/]+)?\/files$/, 'multipart/form-data'],
];

function jsonBodies(limit: number): express.RequestHandler[] {
  return [
    (req, _res, next) => {
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      if (!hasBody || req.is('application/json')) return next();
      const raw = RAW_BODY_ROUTES.find(([m, p]) => m === req.method && p.test(req.path));
      if (raw && req.is(raw[2])) return next();
      next(new ApiError('unsupported-media-type', raw ? `send the body as ${raw[2]}` : 'send the body as application/json'));
    },
    express.json({ limit, strict: false }),
  ];
}

export function createApp(deps: AppDeps): FerryApp {
  const { config, db, log } = deps;
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();

  const bus = new EventBus(db, log, config.events.retain, () => clock.now());
  const context = new ContextService(new ContextStore(db), bus, config.context, clock);
  const exec = new ExecService(new JobStore(db), bus, config.exec, clock, log.child({ part: 'exec' }));
  const audit = new AuditService(new AuditStore(db), clock, log, config.audit.retentionDays);
  const sessions = new SessionStore(db, clock, config.session.ttlHours * 3600_000);
  const sse = new SseHub();
  const lost = exec.recover();
  if (lost > 0) log.warn('jobs were running when the daemon last stopped; marked lost', { count: lost });
  const aiTasks = new AiTaskService({
    store: new AiTaskStore(db),
    bus,
    config: config.aiTasks,
    clock,
    log: log.child({ part: 'ai-tasks' }),
    tasksDir: path.join(deps.paths.home, 'ai-tasks'),
    apiUrl: () => {
      const a = address();
      if (!a) return null;
      const host = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
      return `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
    },
    permissionServer: deps.permissionServer ?? path.join(PACKAGE_ROOT, 'dist', 'mcp', 'permission-server.js'),
  });
  const lostTasks = aiTasks.recover();
  if (lostTasks > 0) log.warn('AI tasks were running when the daemon last stopped; marked lost', { count: lostTasks });
  context.startSweeper(config.context.sweepIntervalMs);
  audit.startRetention();

  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const hostAllowed = makeHostAllowList(config.allowedHosts, config.name);
  const bundle = loadAdminBundle(deps.adminDir ?? path.join(PACKAGE_ROOT, 'admin', 'build'));

  /** While draining, new requests get 503 (health says so); in-flight ones are counted for the drain. */
  const drainGate: express.RequestHandler = (req, res, next) => {
    if (draining && !req.path.endsWith('/health')) return next(new ApiError('draining', 'the daemon is shutting down; retry against it once it is back'));
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) idle?.();
    });
    next();
  };

  const address = () => server.address() as AddressInfo | null;
  const peerAddress = () => (peers.listener?.server.address() ?? null) as AddressInfo | null;
  // The same capability routers serve the local API and the peer listener; policy tells them apart.
  const uploads = new UploadService(new UploadStore(db), config.files, clock, log.child({ part: 'files' }));
  uploads.startSweeper();
  const capabilityRouters = (policy: PolicyService) => [
    systemRoutes({ identity: deps.identity, config, paths: deps.paths, db, exec, aiTasks, context, startedAt, address, peerAddress, isDraining: () => draining }),
    contextRoutes({ context, policy, rateLimits: config.rateLimits, bus, sse }),
    execRoutes({ exec, policy, sse, rateLimits: config.rateLimits }),
    aiTaskRoutes({ tasks: aiTasks, policy, sse, rateLimits: config.rateLimits }),
    fileRoutes({ uploads, access: new FileAccess({ policy, dataDir: deps.paths.home }), config }),
  ];
  const fileLimits = { maxBytes: config.files.maxBytes, maxEntries: config.files.maxEntries };
  const peers = createPeers({
    config,
    db,
    identity: deps.identity,
    bus,
    clock,
    log,
    audit,
    drainGate,
    isDraining: () => draining,
    capabilityRouters,
  });

  const transfers = new TransferService({
    store: new TransferStore(db),
    local: new LocalEndpoint({ access: new FileAccess({ policy: peers.policy, dataDir: deps.paths.home }), uploads, limits: fileLimits }),
    peer: (ref) => {
      const t = peers.service.target(ref);
      return { endpoint: new RemoteEndpoint(t, peers.client), nodeId: t.nodeId, name: t.name };
    },
    bus,
    clock,
    log: log.child({ part: 'transfers' }),
    config: config.files,
  });

  const mcpHttp = createMcpHttpHandler({
    // Per call: the URL in daemon.json and the current admin token (it may have been rotated).
    client: () => localClient({ home: deps.paths.home }),
    log: (msg, f) => log.info(msg, { part: 'mcp', ...f }),
    maxBodyBytes: config.http.jsonLimitBytes,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const server = http.createServer(app);

  // Order matters: Host check first (DNS rebinding), then audit (sees everything after), then drain.
  app.use(hostCheck(hostAllowed));
  app.use(auditRequests(audit));
  app.use(drainGate);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", ...bundle.scriptHashes],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: false,
    }),
  );
  const jsonBody = jsonBodies(config.http.jsonLimitBytes);
  const authFailure = authFailureLimiter(config.rateLimits);

  // ── public: the explicit list in routes/public.ts ──────────────────────────
  app.use(API_PREFIX, publicRoutes({ jsonBody, authFailure, isDraining: () => draining, adminToken: deps.adminToken, sessions, sessionTtlMs: config.session.ttlHours * 3600_000 }));
  app.use(adminRoutes(bundle));
  // An agent's permission tool, with its task's own token (anything else falls through to the 401).
  app.use(API_PREFIX, aiTaskPermissionPromptRoute({ tasks: aiTasks, jsonBody }));

  // ── everything below needs a principal; bodies are read only after auth ──
  app.use(requireAuth({ adminToken: deps.adminToken, sessions, onFailure: authFailure }));
  app.use(API_PREFIX, jsonBody);
  const onRotated = (at: number) => {
    bus.publish('auth.token-rotated', { rotatedAt: new Date(at).toISOString() });
    io.disconnectSockets(true);
    sse.closeAll();
  };
  app.use(API_PREFIX, authRoutes({ adminToken: deps.adminToken, sessions, onRotated, now: () => clock.now() }));
  for (const r of capabilityRouters(peers.policy)) app.use(API_PREFIX, r);
  app.use(API_PREFIX, peerControlRoutes({ pairing: peers.pairing, peers: peers.service, approvals: peers.approvals }));
  app.use(API_PREFIX, transferRoutes({ transfers }));
  app.use(API_PREFIX, messageRoutes({ messages: peers.messages }));
  app.use(API_PREFIX, broadcastRoutes({ context, peers: peers.store, client: peers.client }));
  // MCP over Streamable HTTP: the bearer token only (a browser session must not drive agent
  // tools) and no foreign Origin. The tools call this daemon's own API as the local admin.
  const mcpGate: express.RequestHandler = (req, _res, next) => {
    if (req.principal?.kind !== 'local' || req.principal.via !== 'token') return next(new ApiError('unauthorized', 'MCP over HTTP takes the bearer token (Authorization: Bearer <admin token>), not a session cookie'));
    const origin = req.headers.origin;
    if (origin && URL.parse(origin)?.host !== req.headers.host) return next(new ApiError('forbidden', `requests from ${origin} are not accepted`));
    next();
  };
  // Streamable HTTP uses exactly these three methods.
  app.route('/mcp').get(mcpGate, mcpHttp).post(mcpGate, mcpHttp).delete(mcpGate, mcpHttp);
  app.use(API_PREFIX, peers.forward);
  app.use(API_PREFIX, auditRoutes({ audit }));
  app.use(API_PREFIX, eventRoutes({ bus, sse }));
  app.use(notFound);
  app.use(errorHandler(log));

  // Queued tasks (from before a restart) start once the API answers their permission tools.
  server.once('listening', () => aiTasks.resume());

  const io = attachSocket(server, { adminToken: deps.adminToken, sessions, bus, log, audit, hostAllowed });

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string) =>
    (shuttingDown ??= (async () => {
      // MCP sessions first: their open streams would hold the drain, and their running calls
      // must cancel jobs while the API still answers.
      await mcpHttp.close();
      draining = true;
      log.info('draining', { reason });
      bus.publish('system.draining', { reason });
      server.close();
      server.closeIdleConnections();
      peers.listener?.server.close();
      peers.listener?.server.closeIdleConnections();
      peers.stop();
      const goodbye = peers.stopNetwork();
      await transfers.stop();
      // Streams never end by themselves; jobs end when stopped (and their waiting requests with them).
      sse.closeAll();
      io.disconnectSockets(true);
      await Promise.all([exec.shutdown(), aiTasks.shutdown()]);
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, config.http.drainTimeoutMs).unref();
        });
      }
      server.closeAllConnections();
      peers.listener?.server.closeAllConnections();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await goodbye;
      context.stop();
      uploads.stop();
      audit.stop();
    })());

  return { app, server, peers, io, bus, services: { context, exec, audit, transfers, uploads, aiTasks }, shutdown };
}
